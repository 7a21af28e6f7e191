#include "store/RedisTlsContext.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace medicall::store {

namespace {

// OpenSSL's most recent reason, or `fallback` when its queue is empty.
std::string OpenSslReason(const char* fallback) {
  const unsigned long code = ERR_peek_last_error();
  ERR_clear_error();
  if (code == 0) return fallback;
  const char* reason = ERR_reason_error_string(code);
  return reason != nullptr ? reason : fallback;
}

}  // namespace

std::shared_ptr<const RedisTlsContext> RedisTlsContext::Load(const RedisTlsFiles& files, std::string& error) {
  ERR_clear_error();
  if (files.certFile.empty() != files.keyFile.empty()) {
    error =
        "MEDICALL_REDIS_CERT_FILE and MEDICALL_REDIS_KEY_FILE go together (a client certificate and its key)";
    return nullptr;
  }
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) {
    error = "MEDICALL_REDIS_URL: cannot create a TLS context: " + OpenSslReason("out of memory");
    return nullptr;
  }
  std::shared_ptr<const RedisTlsContext> context(new RedisTlsContext(ctx));
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE);
  if (files.caFile.empty()) {
    if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
      error = "MEDICALL_REDIS_URL: cannot load the system trust store: " + OpenSslReason("unknown error");
      return nullptr;
    }
  } else if (SSL_CTX_load_verify_locations(ctx, files.caFile.c_str(), nullptr) != 1) {
    error = "MEDICALL_REDIS_CA_FILE: cannot load " + files.caFile + ": " + OpenSslReason("no certificates");
    return nullptr;
  }
  if (!files.certFile.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx, files.certFile.c_str()) != 1) {
      error =
          "MEDICALL_REDIS_CERT_FILE: cannot load " + files.certFile + ": " + OpenSslReason("no certificate");
      return nullptr;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, files.keyFile.c_str(), SSL_FILETYPE_PEM) != 1) {
      const bool mismatch = ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH;
      error = mismatch
                  ? "MEDICALL_REDIS_KEY_FILE: " + files.keyFile + " is not the key of " + files.certFile
                  : "MEDICALL_REDIS_KEY_FILE: cannot load " + files.keyFile + ": " + OpenSslReason("no key");
      ERR_clear_error();
      return nullptr;
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
      error = "MEDICALL_REDIS_KEY_FILE: " + files.keyFile + " is not the key of " + files.certFile;
      ERR_clear_error();
      return nullptr;
    }
  }
  return context;
}

RedisTlsContext::~RedisTlsContext() { SSL_CTX_free(ctx_); }

}  // namespace medicall::store
