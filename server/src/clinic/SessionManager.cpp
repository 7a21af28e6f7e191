#include "clinic/SessionManager.hpp"

#include "common/Digest.hpp"
#include "meetings/IdGenerator.hpp"

namespace medicall::clinic {

SessionManager::SessionManager(int64_t idleUs, int64_t maxUs, const Clock& clock)
    : idleUs_(idleUs), maxUs_(maxUs), clock_(clock) {}

Session SessionManager::Create(const std::string& role, const std::string& userId, const std::string& waitId,
                               std::string& cookieValue) {
  cookieValue = meetings::IdGenerator::RandomBase64Url(32);
  Session s;
  s.idHash = digest::Sha256Hex(cookieValue);
  s.role = role;
  s.userId = userId;
  s.waitId = waitId;
  s.csrfToken = meetings::IdGenerator::RandomBase64Url(32);
  s.createdUs = s.lastSeenUs = clock_.NowUs();
  std::lock_guard lock(mutex_);
  sessions_[s.idHash] = s;
  return s;
}

bool SessionManager::Expired(const Session& s, int64_t now) const {
  return now - s.lastSeenUs >= idleUs_ || now - s.createdUs >= maxUs_;
}

std::optional<Session> SessionManager::Find(const std::string& cookieValue) {
  if (cookieValue.empty() || cookieValue.size() > 128) return std::nullopt;
  const std::string idHash = digest::Sha256Hex(cookieValue);
  const int64_t now = clock_.NowUs();
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(idHash);
  if (it == sessions_.end()) return std::nullopt;
  if (Expired(it->second, now)) {
    sessions_.erase(it);
    return std::nullopt;
  }
  it->second.lastSeenUs = now;
  return it->second;
}

void SessionManager::TouchByHash(const std::string& idHash) {
  const int64_t now = clock_.NowUs();
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(idHash);
  if (it != sessions_.end() && !Expired(it->second, now)) it->second.lastSeenUs = now;
}

void SessionManager::End(const std::string& cookieValue) {
  std::lock_guard lock(mutex_);
  sessions_.erase(digest::Sha256Hex(cookieValue));
}

void SessionManager::EndAllOf(const std::string& userId) {
  std::lock_guard lock(mutex_);
  std::erase_if(sessions_, [&](const auto& entry) { return entry.second.userId == userId; });
}

size_t SessionManager::Sweep() {
  const int64_t now = clock_.NowUs();
  std::lock_guard lock(mutex_);
  return std::erase_if(sessions_, [&](const auto& entry) { return Expired(entry.second, now); });
}

size_t SessionManager::Count() {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

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
