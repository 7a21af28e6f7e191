#pragma once
// Login and patient sessions. A session id is 256 random bits (base64url) that lives only in the
// client's cookie: the server keeps SHA-256 of it. Each session has its own CSRF token (256 bits),
// which every state-changing request must echo in X-CSRF-Token. A session ends at logout, after
// `idleUs` without a request (Touch), or `maxUs` after its creation, whichever is first.
// In memory (a restart logs everybody out). Thread-safe; time from the injected clock.
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "common/Clock.hpp"

namespace medicall::clinic {

struct Session {
  std::string idHash;  // SHA-256 hex of the cookie value
  std::string role;    // admin | clinician | patient
  std::string userId;  // admin/clinician
  std::string waitId;  // patient: the wait it started
  std::string csrfToken;
  int64_t createdUs = 0;
  int64_t lastSeenUs = 0;
};

class SessionManager {
 public:
  static constexpr const char* kCookieName = "medicall_session";

  SessionManager(int64_t idleUs, int64_t maxUs, const Clock& clock);

  // A new session; `cookieValue` receives the id for the cookie (never stored).
  Session Create(const std::string& role, const std::string& userId, const std::string& waitId,
                 std::string& cookieValue);
  // The live session of a cookie value, touched (its idle clock restarts); nullopt if none, or
  // expired (then it is removed).
  std::optional<Session> Find(const std::string& cookieValue);
  // Restarts the idle clock without a request (a patient's open event stream).
  void TouchByHash(const std::string& idHash);
  void End(const std::string& cookieValue);
  void EndAllOf(const std::string& userId);
  // Drops expired sessions; returns how many.
  size_t Sweep();
  size_t Count();

  // True when `header` is present and equals the session's CSRF token (constant time).
  static bool CsrfMatches(const Session& session, const std::string* header);
  // The value of cookie `name` in a Cookie header, "" if absent.
  static std::string CookieValue(const std::string* cookieHeader, const std::string& name);
  int64_t MaxSeconds() const { return maxUs_ / 1'000'000; }

 private:
  bool Expired(const Session& s, int64_t now) const;

  const int64_t idleUs_;
  const int64_t maxUs_;
  const Clock& clock_;
  std::mutex mutex_;
  std::map<std::string, Session> sessions_;  // by idHash
};

}  // namespace medicall::clinic
