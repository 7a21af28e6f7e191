#pragma once
// Patient link tokens, derived rather than stored: token = base64url(HMAC-SHA256(key, "visit:" +
// visitId)) cut to 24 bytes (192 bits). The key (32 random bytes) lives in
// `<dataDir>/clinic-link.key` (created once, mode 0600); the store keeps only SHA-256(token) for the
// lookup, and the owning clinician's view re-derives the link. In a cluster every node needs the
// same key: it comes from the shared store (FromSource), fetched at first use.
#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace medicall::clinic {

class LinkSigner {
 public:
  static constexpr size_t kTokenBytes = 24;

  // Loads or creates the key file. Throws std::runtime_error when it cannot.
  explicit LinkSigner(const std::string& dataDir);
  // For tests: a given key.
  static LinkSigner WithKey(std::string key);
  // The key `source` answers, asked at the first TokenFor (and again at the next while it throws).
  static LinkSigner FromSource(std::function<std::string()> source);

  std::string TokenFor(const std::string& visitId) const;
  // SHA-256 hex of a token: what the store keeps.
  static std::string HashOf(const std::string& token);
  // A token is 32 base64url characters; anything else is not worth a lookup.
  static bool LooksLikeToken(const std::string& token);

 private:
  LinkSigner() = default;
  std::string Key() const;

  std::function<std::string()> source_;
  std::shared_ptr<std::mutex> mutex_ = std::make_shared<std::mutex>();
  mutable std::string key_;
};

}  // namespace medicall::clinic
