#pragma once
// Login and patient sessions. A session id is 256 random bits (base64url) that lives only in the
// client's cookie: the server keeps SHA-256 of it. Each session has its own CSRF token (256 bits),
// which every state-changing request must echo in X-CSRF-Token. A session ends at logout, after
// `idleUs` without a request (Touch), or `maxUs` after its creation, whichever is first.
// Sessions live in the ClinicStore (SQLite, or Redis in a cluster): a session made on one node is
// valid on every node, and a restart logs nobody out. Each read checks the end with the injected
// clock's wall time; thread-safe as the store is.
#include <cstdint>
#include <optional>
#include <string>

#include "common/Clock.hpp"
#include "store/ClinicStore.hpp"

namespace medicall::clinic {

using Session = store::SessionRecord;

class SessionManager {
 public:
  static constexpr const char* kCookieName = "medicall_session";

  SessionManager(store::ClinicStore& store, int64_t idleUs, int64_t maxUs, const Clock& clock);

  // A new session; `cookieValue` receives the id for the cookie (never stored).
  Session Create(const std::string& role, const std::string& userId, const std::string& waitId,
                 std::string& cookieValue);
  // The live session of a cookie value, touched (its idle clock restarts); nullopt if none, or
  // expired (then it is removed).
  std::optional<Session> Find(const std::string& cookieValue);
  // Restarts the idle clock without a request (a patient's open event stream).
  void TouchByHash(const std::string& idHash);
  // True while the session of this hash has not ended or expired.
  bool Alive(const std::string& idHash);
  void End(const std::string& cookieValue);
  void EndAllOf(const std::string& userId);
  // Drops expired sessions; returns how many.
  size_t Sweep();
  size_t Count();  // stored, including expired ones not yet swept

  // True when `header` is present and equals the session's CSRF token (constant time).
  static bool CsrfMatches(const Session& session, const std::string* header);
  // The value of cookie `name` in a Cookie header, "" if absent.
  static std::string CookieValue(const std::string* cookieHeader, const std::string& name);
  int64_t MaxSeconds() const { return maxUs_ / 1'000'000; }

 private:
  int64_t NowUs() const { return clock_.WallNowUs(); }

  store::ClinicStore& store_;
  const int64_t idleUs_;
  const int64_t maxUs_;
  const Clock& clock_;
};

}  // namespace medicall::clinic
