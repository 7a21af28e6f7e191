#include "clinic/SessionManager.hpp"

#include "common/Digest.hpp"
#include "meetings/IdGenerator.hpp"

namespace medicall::clinic {

SessionManager::SessionManager(store::ClinicStore& store, int64_t idleUs, int64_t maxUs, const Clock& clock)
    : store_(store), idleUs_(idleUs), maxUs_(maxUs), clock_(clock) {}

Session SessionManager::Create(const std::string& role, const std::string& userId, const std::string& waitId,
                               std::string& cookieValue) {
  cookieValue = meetings::IdGenerator::RandomBase64Url(32);
  Session s;
  s.idHash = digest::Sha256Hex(cookieValue);
  s.role = role;
  s.userId = userId;
  s.waitId = waitId;
  s.csrfToken = meetings::IdGenerator::RandomBase64Url(32);
  s.createdUs = s.lastSeenUs = NowUs();
  s.idleUs = idleUs_;
  s.maxUs = maxUs_;
  store_.InsertSession(s);
  return s;
}

std::optional<Session> SessionManager::Find(const std::string& cookieValue) {
  if (cookieValue.empty() || cookieValue.size() > 128) return std::nullopt;
  return store_.FindSession(digest::Sha256Hex(cookieValue), NowUs(), true);
}

void SessionManager::TouchByHash(const std::string& idHash) { store_.FindSession(idHash, NowUs(), true); }

bool SessionManager::Alive(const std::string& idHash) {
  return store_.FindSession(idHash, NowUs(), false).has_value();
}

void SessionManager::End(const std::string& cookieValue) {
  store_.DeleteSession(digest::Sha256Hex(cookieValue));
}

void SessionManager::EndAllOf(const std::string& userId) { store_.DeleteSessionsOf(userId); }

size_t SessionManager::Sweep() { return static_cast<size_t>(store_.PurgeSessions(NowUs())); }

size_t SessionManager::Count() { return static_cast<size_t>(store_.CountSessions()); }

bool SessionManager::CsrfMatches(const Session& session, const std::string* header) {
  return header != nullptr && !session.csrfToken.empty() &&
         digest::ConstantTimeEquals(*header, session.csrfToken);
}

std::string SessionManager::CookieValue(const std::string* cookieHeader, const std::string& name) {
  if (cookieHeader == nullptr) return {};
  std::string_view rest = *cookieHeader;
  while (!rest.empty()) {
    const size_t semi = rest.find(';');
    std::string_view part = rest.substr(0, semi);
    rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
    while (!part.empty() && (part.front() == ' ' || part.front() == '\t')) part.remove_prefix(1);
    const size_t eq = part.find('=');
    if (eq == std::string_view::npos) continue;
    if (part.substr(0, eq) == name) {
      std::string_view value = part.substr(eq + 1);
      while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
        value = value.substr(1, value.size() - 2);
      return std::string(value);
    }
  }
  return {};
}

}  // namespace medicall::clinic
