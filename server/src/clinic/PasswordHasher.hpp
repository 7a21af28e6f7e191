#pragma once
// Passwords as argon2id hashes (libsodium crypto_pwhash_str: salt and parameters inside the string).
// The password itself is never stored or logged.
#include <string>
#include <string_view>

namespace medicall::clinic {

class PasswordHasher {
 public:
  static constexpr size_t kMinLength = 10;
  static constexpr size_t kMaxLength = 1024;

  // Initialises libsodium (once; thread-safe). Throws std::runtime_error if it cannot.
  PasswordHasher();
  // The argon2id string ("$argon2id$v=19$m=...,t=...,p=1$salt$hash"). Throws on failure.
  std::string Hash(std::string_view password) const;
  // False for a wrong password or a malformed hash.
  bool Verify(const std::string& hash, std::string_view password) const;
  // Spends the time of one Verify, so an unknown account answers as slowly as a known one.
  void VerifyDummy(std::string_view password) const;

 private:
  std::string dummyHash_;
};

}  // namespace medicall::clinic
