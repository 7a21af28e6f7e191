#pragma once
// The test-only echo endpoint (off by default; main registers it with --enable-test-echo or
// MEDICALL_TEST_ECHO=1):
//   POST /test/echo[?srtp=gcm|cm]   body: a browser SDP offer; 200 with the SDP answer
//                                   (Content-Type application/sdp), 400 on a bad offer.
//                                   `srtp` limits the DTLS-SRTP profiles the server accepts
//                                   (default: AEAD_AES_128_GCM, then AES_CM_128_HMAC_SHA1_80).
//   GET  /test/echo/stats           JSON counters (sessions, demuxer drops, per-session echo).
// Each offer becomes an EchoSession on the demuxer's media worker; what the browser sends comes
// back on the server's own SSRCs. Sessions end on ICE consent expiry or DTLS close/failure.
//
// Handle() may be called from any thread; it waits for the media worker to create the session.
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/Config.hpp"
#include "common/HttpTypes.hpp"
#include "media/echo/EchoSession.hpp"
#include "webrtc/dtls/DtlsCertificate.hpp"
#include "webrtc/transport/MediaDemuxer.hpp"

namespace medicall::media::echo {

class EchoService {
 public:
  static constexpr size_t kMaxSessions = 32;

  // `certificate` is the server's DTLS identity (made once at start-up); `demuxer` is the bound
  // media port on its worker. Both outlive the service.
  EchoService(const Config& config, webrtc::transport::MediaDemuxer& demuxer,
              std::shared_ptr<const webrtc::dtls::DtlsCertificate> certificate);
  ~EchoService();  // closes every session on the worker (waits for it when the worker runs)
  EchoService(const EchoService&) = delete;
  EchoService& operator=(const EchoService&) = delete;

  // nullopt when the request is not for /test/echo*.
  std::optional<HttpResponse> Handle(const HttpRequest& request);

 private:
  HttpResponse HandleOffer(const HttpRequest& request);
  HttpResponse HandleStats();
  // Runs f on the worker (inline when on it or when it is not running) and waits for it.
  template <typename F>
  bool RunOnWorker(F&& f);

  std::vector<std::string> mediaAddresses_;
  webrtc::transport::MediaDemuxer& demuxer_;
  std::shared_ptr<const webrtc::dtls::DtlsCertificate> certificate_;
  // Worker thread only.
  std::map<std::string, std::unique_ptr<EchoSession>> sessions_;
  uint64_t created_ = 0;
  uint64_t closed_ = 0;
  uint64_t dropped_ = 0;  // closed by consent expiry
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace medicall::media::echo
