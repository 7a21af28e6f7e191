#pragma once
// The OpenSSL context (SSL_CTX) of DTLS-SRTP: the certificate and key, DTLS 1.2, the cipher list, the
// use_srtp profiles and the options every DtlsTransport uses. It depends only on the certificate and the
// profile list, so one is made per (certificate, profiles) and shared by every transport that uses them
// (the server has one certificate: one context, however many attendees), instead of one per transport.
//
// Shared() looks contexts up in a small process-wide table (a lock, taken only when a transport
// starts; the packet path never sees it). A context lives while a transport holds it. SSL_CTX is safe
// to share between threads once set up; it is not changed afterwards.
#include <memory>
#include <string>
#include <vector>

#include "webrtc/dtls/DtlsCertificate.hpp"
#include "webrtc/srtp/SrtpProfile.hpp"

using SSL_CTX = struct ssl_ctx_st;

namespace medicall::webrtc::dtls {

class DtlsContext {
 public:
  // The context for `certificate` and `profiles` (in preference order), made on first use.
  // nullptr (and *error set) when OpenSSL refuses the setup.
  static std::shared_ptr<const DtlsContext> Shared(const std::shared_ptr<const DtlsCertificate>& certificate,
                                                   const std::vector<srtp::SrtpProfile>& profiles,
                                                   std::string* error = nullptr);

  ~DtlsContext();
  DtlsContext(const DtlsContext&) = delete;
  DtlsContext& operator=(const DtlsContext&) = delete;

  SSL_CTX* Get() const { return ctx_; }

 private:
  DtlsContext(std::shared_ptr<const DtlsCertificate> certificate, SSL_CTX* ctx)
      : certificate_(std::move(certificate)), ctx_(ctx) {}

  std::shared_ptr<const DtlsCertificate> certificate_;  // the key the context uses stays alive with it
  SSL_CTX* ctx_;
};

}  // namespace medicall::webrtc::dtls
