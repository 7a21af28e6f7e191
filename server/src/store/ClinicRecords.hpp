#pragma once
// Plain records of the clinic plane (issue 12): accounts, set-password links, visits, waiting
// patients, audit entries, login sessions. Times are Unix milliseconds (sessions: microseconds);
// 0 = unset.
#include <cstdint>
#include <string>

namespace medicall::store {

struct UserRecord {
  std::string userId;        // UUID v4
  std::string email;         // lower case, unique
  std::string name;          // display name ("Dr Jane Doe")
  std::string role;          // "admin" | "clinician"
  std::string clinic;        // clinic slug
  std::string passwordHash;  // argon2id string (crypto_pwhash_str); "" until set
  bool disabled = false;
  bool onDuty = true;
  int64_t createdAt = 0;
};

// A one-time set-password link: only SHA-256 of its token is kept.
struct PasswordTokenRecord {
  std::string tokenHash;
  std::string userId;
  int64_t expiresAt = 0;
  int64_t usedAt = 0;
};

struct VisitRecord {
  std::string visitId;  // UUID v4
  std::string clinic;
  std::string clinicianId;
  std::string patientName;  // "" = not given
  int64_t scheduledAt = 0;
  int64_t createdAt = 0;
  std::string linkHash;  // SHA-256 hex of the link token
  int64_t linkExpiresAt = 0;
  std::string meetingId;  // "" before admission
  int64_t endedAt = 0;
  std::string linkState;  // "" = usable, "removed" = its patient was removed (the link is dead)
};

// A patient in a waiting room: a visit's (visitId set) or the clinic queue's (visitId empty).
struct WaitRecord {
  std::string waitId;  // UUID v4
  std::string visitId;
  std::string clinic;
  std::string name;
  int64_t since = 0;
  std::string state = "waiting";  // waiting | admitted | left | removed | ended
  std::string attendeeId;         // once admitted
};

struct AuditRecord {
  int64_t seq = 0;
  int64_t time = 0;
  std::string actor;  // user id, attendee id, "patient:<waitId>", "system"
  std::string action;
  std::string visitId;
  std::string meetingId;
  std::string target;
  std::string detail;  // free text: never a name
  std::string prevHash;
  std::string hash;
};

// A login or patient session: only SHA-256 of its id (the cookie value) is kept. It ends when
// `idleUs` pass without a request, or `maxUs` after its creation.
struct SessionRecord {
  std::string idHash;
  std::string role;    // admin | clinician | patient
  std::string userId;  // admin/clinician
  std::string waitId;  // patient: the wait it started
  std::string csrfToken;
  int64_t createdUs = 0;  // wall clock, Unix microseconds
  int64_t lastSeenUs = 0;
  int64_t idleUs = 0;
  int64_t maxUs = 0;

  bool ExpiredAt(int64_t nowUs) const { return nowUs - lastSeenUs >= idleUs || nowUs - createdUs >= maxUs; }
};

}  // namespace medicall::store
