#include "clinic/LinkSigner.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "common/Digest.hpp"
#include "common/Random.hpp"
#include "meetings/IdGenerator.hpp"

namespace medicall::clinic {

LinkSigner::LinkSigner(const std::string& dataDir) {
  const auto path = std::filesystem::path(dataDir) / "clinic-link.key";
  std::error_code ec;
  std::filesystem::create_directories(dataDir, ec);
  if (std::ifstream in(path, std::ios::binary); in) {
    std::stringstream ss;
    ss << in.rdbuf();
    key_ = ss.str();
    if (key_.size() != 32) throw std::runtime_error(path.string() + ": not a 32-byte key");
    return;
  }
  std::vector<uint8_t> key(32);
  random::Fill(key);
  key_.assign(key.begin(), key.end());
  const auto temp = path.string() + ".tmp";
  {
    const mode_t old = umask(077);
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    umask(old);
    out.write(key_.data(), static_cast<std::streamsize>(key_.size()));
    if (!out) throw std::runtime_error("cannot write " + temp);
  }
  std::filesystem::rename(temp, path, ec);
  if (ec) throw std::runtime_error("cannot create " + path.string() + ": " + ec.message());
}

LinkSigner LinkSigner::WithKey(std::string key) {
  LinkSigner s;
  s.key_ = std::move(key);
  return s;
}

LinkSigner LinkSigner::FromSource(std::function<std::string()> source) {
  LinkSigner s;
  s.source_ = std::move(source);
  return s;
}

std::string LinkSigner::Key() const {
  std::lock_guard lock(*mutex_);
  if (key_.empty() && source_) {
    std::string key = source_();
    if (key.size() != 32) throw std::runtime_error("the shared visit-link key is not 32 bytes");
    key_ = std::move(key);
  }
  return key_;
}

std::string LinkSigner::TokenFor(const std::string& visitId) const {
  const auto mac = digest::HmacSha256(Key(), "visit:" + visitId);
  return meetings::IdGenerator::Base64UrlEncode(mac.data(), kTokenBytes);
}

std::string LinkSigner::HashOf(const std::string& token) { return digest::Sha256Hex(token); }

bool LinkSigner::LooksLikeToken(const std::string& token) {
  if (token.size() != 32) return false;
  for (unsigned char c : token)
    if (!(std::isalnum(c) || c == '-' || c == '_')) return false;
  return true;
}

}  // namespace medicall::clinic
