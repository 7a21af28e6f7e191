#pragma once
// The client side of rediss:// (TLS to Redis): one OpenSSL context per configured endpoint, shared
// by every connection to it. The server's certificate is always verified, against
// MEDICALL_REDIS_CA_FILE or else the system trust store, and its name against the URL's host
// (RedisSocket sets the host per connection); a client certificate and key are presented when
// configured (Redis with tls-auth-clients yes). There is no way to turn verification off.
#include <memory>
#include <string>

struct ssl_ctx_st;

namespace medicall::store {

struct RedisTlsFiles {
  std::string caFile;    // MEDICALL_REDIS_CA_FILE: PEM CA bundle ("" = the system trust store)
  std::string certFile;  // MEDICALL_REDIS_CERT_FILE: PEM client certificate chain (mutual TLS)
  std::string keyFile;   // MEDICALL_REDIS_KEY_FILE: PEM private key of that certificate

  bool Any() const { return !caFile.empty() || !certFile.empty() || !keyFile.empty(); }
};

class RedisTlsContext {
 public:
  // Loads the files; nullptr and `error` naming the setting and OpenSSL's reason when one is
  // missing, unreadable or does not match (a key without its certificate, or the wrong key).
  static std::shared_ptr<const RedisTlsContext> Load(const RedisTlsFiles& files, std::string& error);
  ~RedisTlsContext();
  RedisTlsContext(const RedisTlsContext&) = delete;
  RedisTlsContext& operator=(const RedisTlsContext&) = delete;

  ssl_ctx_st* Native() const { return ctx_; }

 private:
  explicit RedisTlsContext(ssl_ctx_st* ctx) : ctx_(ctx) {}
  ssl_ctx_st* ctx_;
};

}  // namespace medicall::store
