#include "webrtc/dtls/DtlsContext.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <mutex>

#include "webrtc/dtls/OpenSslErrors.hpp"

namespace medicall::webrtc::dtls {

namespace {

constexpr char kCipherList[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA";

std::string ProfileList(const std::vector<srtp::SrtpProfile>& profiles) {
  std::string list;
  for (srtp::SrtpProfile p : profiles) {
    if (!list.empty()) list += ':';
    list += srtp::SrtpProfileName(p);
  }
  return list;
}

SSL_CTX* NewContext(const DtlsCertificate& certificate, const std::string& profiles) {
  SSL_CTX* ctx = SSL_CTX_new(DTLS_method());
  bool ok = ctx != nullptr;
  ok = ok && SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION) == 1;
  ok = ok && SSL_CTX_use_certificate(ctx, certificate.Certificate()) == 1;
  ok = ok && SSL_CTX_use_PrivateKey(ctx, certificate.PrivateKey()) == 1;
  ok = ok && SSL_CTX_check_private_key(ctx) == 1;
  ok = ok && SSL_CTX_set_cipher_list(ctx, kCipherList) == 1;
  ok = ok && !profiles.empty() && SSL_CTX_set_tlsext_use_srtp(ctx, profiles.c_str()) == 0;  // 0 = success
  if (!ok) {
    SSL_CTX_free(ctx);
    return nullptr;
  }
  SSL_CTX_set_options(ctx, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_TICKET | SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_verify_depth(ctx, 4);
  SSL_CTX_set_read_ahead(ctx, 1);
  return ctx;
}

struct Entry {
  const DtlsCertificate* certificate;  // alive while `context` is (the context holds it)
  std::string profiles;
  std::weak_ptr<const DtlsContext> context;
};

}  // namespace

std::shared_ptr<const DtlsContext> DtlsContext::Shared(
    const std::shared_ptr<const DtlsCertificate>& certificate, const std::vector<srtp::SrtpProfile>& profiles,
    std::string* error) {
  static std::mutex mutex;
  static std::vector<Entry> entries;
  if (!certificate) {
    if (error != nullptr) *error = "no certificate";
    return nullptr;
  }
  const std::string list = ProfileList(profiles);
  std::lock_guard lock(mutex);
  std::erase_if(entries, [](const Entry& e) { return e.context.expired(); });
  for (const Entry& e : entries) {
    if (e.certificate == certificate.get() && e.profiles == list) {
      if (auto context = e.context.lock()) return context;
    }
  }
  ERR_clear_error();
  SSL_CTX* ctx = NewContext(*certificate, list);
  if (ctx == nullptr) {
    if (error != nullptr) *error = OpenSslErrors();
    return nullptr;
  }
  std::shared_ptr<const DtlsContext> context(new DtlsContext(certificate, ctx));
  entries.push_back(Entry{certificate.get(), list, context});
  return context;
}

DtlsContext::~DtlsContext() { SSL_CTX_free(ctx_); }

}  // namespace medicall::webrtc::dtls
