#pragma once
// The server's DTLS identity: an ECDSA P-256 key and a self-signed X.509 certificate, made once at
// start-up and shared by every DtlsTransport. Its SHA-256 fingerprint goes into each SDP answer
// (a=fingerprint:sha-256 AB:CD:..., RFC 8122 section 5).
#include <memory>
#include <string>

using X509 = struct x509_st;
using EVP_PKEY = struct evp_pkey_st;

namespace medicall::webrtc::dtls {

class DtlsCertificate {
 public:
  // Generates a fresh key and certificate (CN=medicall, valid from yesterday for 30 days, random
  // serial). Returns nullptr if OpenSSL fails.
  static std::shared_ptr<DtlsCertificate> Generate();
  // Uppercase hex SHA-256 of the DER certificate, bytes separated by ':' (95 characters).
  static std::string FingerprintSha256(X509* certificate);

  ~DtlsCertificate();
  DtlsCertificate(const DtlsCertificate&) = delete;
  DtlsCertificate& operator=(const DtlsCertificate&) = delete;

  const std::string& Fingerprint() const { return fingerprint_; }
  X509* Certificate() const { return certificate_; }
  EVP_PKEY* PrivateKey() const { return key_; }

 private:
  DtlsCertificate(EVP_PKEY* key, X509* certificate);
  EVP_PKEY* key_;
  X509* certificate_;
  std::string fingerprint_;
};

}  // namespace medicall::webrtc::dtls
