#include "webrtc/stun/HmacSha1.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

namespace medicall::webrtc::stun {
namespace {

struct MacContext {
  EVP_MAC* mac = nullptr;
  EVP_MAC_CTX* ctx = nullptr;
  MacContext() {
    mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (mac != nullptr) ctx = EVP_MAC_CTX_new(mac);
  }
  ~MacContext() {
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
  }
  MacContext(const MacContext&) = delete;
  MacContext& operator=(const MacContext&) = delete;
};

}  // namespace

bool HmacSha1::Compute(std::string_view key, std::span<const uint8_t> first, std::span<const uint8_t> second,
                       Digest& out) {
  thread_local MacContext context;
  if (context.ctx == nullptr) return false;
  char digestName[] = "SHA1";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digestName, 0),
                         OSSL_PARAM_construct_end()};
  // An empty key is legal for HMAC; EVP_MAC_init wants a non-null pointer for it.
  static const unsigned char kEmpty = 0;
  const auto* keyBytes = key.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(key.data());
  if (EVP_MAC_init(context.ctx, keyBytes, key.size(), params) != 1) return false;
  if (!first.empty() && EVP_MAC_update(context.ctx, first.data(), first.size()) != 1) return false;
  if (!second.empty() && EVP_MAC_update(context.ctx, second.data(), second.size()) != 1) return false;
  size_t written = 0;
  if (EVP_MAC_final(context.ctx, out.data(), &written, out.size()) != 1) return false;
  return written == kSize;
}

}  // namespace medicall::webrtc::stun
