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
// Handle() may be called from any thread; it waits for the media worker to create the session, at
// most `workerTimeout`: a worker that does not answer in time gets 503 "media worker busy" and the
// request is abandoned (the HTTP thread is never held by a stuck worker).
#include <chrono>
#include <cstddef>
#include <functional>
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
  static constexpr std::chrono::milliseconds kWorkerTimeout{5000};

  // `certificate` is the server's DTLS identity (made once at start-up); `demuxer` is the bound
  // media port on its worker. Both outlive the service.
  EchoService(const Config& config, webrtc::transport::MediaDemuxer& demuxer,
              std::shared_ptr<const webrtc::dtls::DtlsCertificate> certificate,
              std::chrono::milliseconds workerTimeout = kWorkerTimeout);
  ~EchoService();  // closes every session on the worker (waits for it when the worker runs)
  EchoService(const EchoService&) = delete;
  EchoService& operator=(const EchoService&) = delete;

  // nullopt when the request is not for /test/echo*.
  std::optional<HttpResponse> Handle(const HttpRequest& request);

 private:
  // What lives on the worker, shared with the tasks posted there (never the service itself, so a
  // task that runs after a timeout, or after the service is gone, touches only this).
  struct WorkerState {
    std::map<std::string, std::unique_ptr<EchoSession>> sessions;
    uint64_t created = 0;
    uint64_t closed = 0;
    uint64_t dropped = 0;  // closed by consent expiry
  };
  using WorkerTask = std::function<void(const std::shared_ptr<WorkerState>&)>;

  HttpResponse HandleOffer(const HttpRequest& request);
  HttpResponse HandleStats();
  // Runs `task` on the worker (inline when on it or when it is not running) and waits up to
  // workerTimeout_. False when it did not finish in time; if it had not started by then it never
  // runs. The task must own what it uses (capture by value).
  bool RunOnWorker(WorkerTask task);

  std::vector<std::string> mediaAddresses_;
  webrtc::transport::MediaDemuxer& demuxer_;
  std::shared_ptr<const webrtc::dtls::DtlsCertificate> certificate_;
  std::chrono::milliseconds workerTimeout_;
  std::shared_ptr<WorkerState> state_ = std::make_shared<WorkerState>();  // used on the worker only
};

}  // namespace medicall::media::echo
