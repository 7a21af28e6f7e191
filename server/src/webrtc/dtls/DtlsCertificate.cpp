#include "webrtc/dtls/DtlsCertificate.hpp"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <stdexcept>

#include "common/Logger.hpp"
#include "common/Random.hpp"

namespace medicall::webrtc::dtls {

namespace {
constexpr long kValiditySeconds = 30L * 24 * 3600;
constexpr long kBackdateSeconds = 24L * 3600;  // tolerate peers whose clocks run behind
}  // namespace

std::shared_ptr<DtlsCertificate> DtlsCertificate::Generate() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  if (key == nullptr) {
    log::Error("dtls", "ECDSA P-256 key generation failed");
    return nullptr;
  }
  X509* cert = X509_new();
  bool ok = cert != nullptr;
  uint64_t serial = 0;
  try {
    serial = random::Value<uint64_t>();
  } catch (const std::exception&) {
    ok = false;  // the CSPRNG failed: no certificate rather than a predictable serial
  }
  ok = ok && X509_set_version(cert, 2) == 1;  // v3
  ok = ok && ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert), serial >> 1) == 1;
  ok = ok && X509_gmtime_adj(X509_getm_notBefore(cert), -kBackdateSeconds) != nullptr;
  ok = ok && X509_gmtime_adj(X509_getm_notAfter(cert), kValiditySeconds) != nullptr;
  ok = ok && X509_set_pubkey(cert, key) == 1;
  X509_NAME* name = ok ? X509_get_subject_name(cert) : nullptr;
  ok = ok && name != nullptr &&
       X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                  reinterpret_cast<const unsigned char*>("medicall"), -1, -1, 0) == 1;
  ok = ok && X509_set_issuer_name(cert, name) == 1;
  ok = ok && X509_sign(cert, key, EVP_sha256()) > 0;
  if (!ok) {
    log::Error("dtls", "self-signed certificate creation failed");
    X509_free(cert);
    EVP_PKEY_free(key);
    return nullptr;
  }
  return std::shared_ptr<DtlsCertificate>(new DtlsCertificate(key, cert));
}

std::string DtlsCertificate::FingerprintSha256(X509* certificate) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (certificate == nullptr || X509_digest(certificate, EVP_sha256(), md, &len) != 1) return {};
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(static_cast<size_t>(len) * 3);
  for (unsigned int i = 0; i < len; ++i) {
    if (i != 0) out.push_back(':');
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 0x0f]);
  }
  return out;
}

DtlsCertificate::DtlsCertificate(EVP_PKEY* key, X509* certificate)
    : key_(key), certificate_(certificate), fingerprint_(FingerprintSha256(certificate)) {}

DtlsCertificate::~DtlsCertificate() {
  X509_free(certificate_);
  EVP_PKEY_free(key_);
}

}  // namespace medicall::webrtc::dtls
