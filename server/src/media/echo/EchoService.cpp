#include "media/echo/EchoService.hpp"

#include <atomic>
#include <future>
#include <nlohmann/json.hpp>

#include "common/Logger.hpp"
#include "common/Random.hpp"
#include "webrtc/sdp/AnswerBuilder.hpp"
#include "webrtc/sdp/LocalCandidates.hpp"
#include "webrtc/sdp/SdpParser.hpp"

namespace medicall::media::echo {

using webrtc::transport::WebRtcTransport;
namespace sdp = webrtc::sdp;

namespace {

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

EchoService::EchoService(const Config& config, webrtc::transport::MediaDemuxer& demuxer,
                         std::shared_ptr<const webrtc::dtls::DtlsCertificate> certificate,
                         std::chrono::milliseconds workerTimeout)
    : mediaAddresses_(config.MediaAddresses()),
      demuxer_(demuxer),
      certificate_(std::move(certificate)),
      workerTimeout_(workerTimeout) {}

EchoService::~EchoService() {
  const bool ran = RunOnWorker([](const std::shared_ptr<WorkerState>& state) { state->sessions.clear(); });
  if (!ran) log::Error("api", "echo: media worker did not answer at shutdown");
}

bool EchoService::RunOnWorker(WorkerTask task) {
  net::MediaWorker& worker = demuxer_.Worker();
  // On the worker itself, or with no worker running (nothing can race us): run here.
  if (worker.IsCurrentThread() || !worker.IsRunning()) {
    task(state_);
    return true;
  }
  enum Phase : int { kWaiting, kRunning, kAbandoned };
  struct Call {
    std::atomic<int> phase{kWaiting};
    std::promise<void> done;
  };
  auto call = std::make_shared<Call>();
  auto finished = call->done.get_future();
  worker.Post([call, state = state_, task = std::move(task)] {
    int waiting = kWaiting;
    if (!call->phase.compare_exchange_strong(waiting, kRunning)) return;  // the caller gave up
    try {
      task(state);
      call->done.set_value();
    } catch (...) {
      call->done.set_exception(std::current_exception());
    }
  });
  if (finished.wait_for(workerTimeout_) != std::future_status::ready) {
    int waiting = kWaiting;
    if (call->phase.compare_exchange_strong(waiting, kAbandoned)) return false;  // it will not run
    // It started just as the time ran out: it owns its data, so waiting once more is safe.
    if (finished.wait_for(workerTimeout_) != std::future_status::ready) return false;
  }
  finished.get();  // rethrows what the task threw (the API layer answers 500)
  return true;
}

std::optional<HttpResponse> EchoService::Handle(const HttpRequest& request) {
  if (request.path == "/test/echo") {
    if (request.method != "POST") return HttpResponse::Text(405, "POST an SDP offer\n");
    return HandleOffer(request);
  }
  if (request.path == "/test/echo/stats") return HandleStats();
  return std::nullopt;
}

HttpResponse EchoService::HandleOffer(const HttpRequest& request) {
  std::string error;
  auto offer = sdp::SdpParser::Parse(request.body, &error);
  if (!offer) return HttpResponse::Text(400, "bad SDP offer: " + error + "\n");

  webrtc::dtls::DtlsTransport::Options dtlsOptions;
  if (auto srtp = request.QueryParam("srtp")) {
    if (*srtp == "gcm") {
      dtlsOptions.srtpProfiles = {webrtc::srtp::SrtpProfile::AeadAes128Gcm};
    } else if (*srtp == "cm") {
      dtlsOptions.srtpProfiles = {webrtc::srtp::SrtpProfile::AesCm128HmacSha1_80};
    } else if (*srtp != "any") {
      return HttpResponse::Text(400, "srtp must be gcm, cm or any\n");
    }
  }

  const std::string ufrag = random::AlphanumericToken(8);
  const std::string pwd = random::AlphanumericToken(24);
  sdp::AnswerOptions options;
  options.iceUfrag = ufrag;
  options.icePwd = pwd;
  options.fingerprintSha256 = certificate_->Fingerprint();
  options.candidateIp = mediaAddresses_.front();
  options.candidatePort = demuxer_.LocalPort();
  options.candidates =
      sdp::LocalCandidates::Build(mediaAddresses_, demuxer_.LocalPort(), demuxer_.LocalTcpPort());
  sdp::AnswerBuilder builder(options);

  EchoSession::Streams streams;
  streams.audioSsrc = random::NonZero32();
  streams.videoSsrc = random::NonZero32();
  streams.rtxSsrc = random::NonZero32();
  bool audioTaken = false;
  bool videoTaken = false;
  for (const auto& m : offer->media) {
    if (m.Rejected()) continue;
    sdp::SendParameters send;
    send.msidStream = "medicall-echo";
    send.cname = "medicall-echo";
    if (m.kind == sdp::MediaKind::Audio && !audioTaken) {
      audioTaken = true;
      send.msidTrack = "echo-audio";
      send.ssrc = streams.audioSsrc;
    } else if (m.kind == sdp::MediaKind::Video && !videoTaken) {
      videoTaken = true;
      send.msidTrack = "echo-video";
      send.ssrc = streams.videoSsrc;
      send.rtxSsrc = streams.rtxSsrc;
    } else {
      continue;
    }
    builder.SetSection(m.mid, sdp::SectionOptions{sdp::Direction::SendRecv, send});
  }
  auto result = builder.Build(*offer, &error);
  if (!result) return HttpResponse::Text(400, "cannot answer: " + error + "\n");

  // Payload types as answered.
  const sdp::MediaSection* transportSection = nullptr;
  for (const auto& m : result->answer.media) {
    if (m.Rejected()) continue;
    for (const auto& codec : m.codecs) {
      if (m.kind == sdp::MediaKind::Audio) {
        streams.audioPts.push_back(codec.payloadType);
      } else if (m.kind == sdp::MediaKind::Video) {
        (IEquals(codec.name, "rtx") ? streams.rtxPts : streams.videoPts).push_back(codec.payloadType);
      }
    }
    if (const auto* offered = offer->FindMid(m.mid); offered != nullptr && transportSection == nullptr) {
      transportSection = offered;
    }
  }
  if (transportSection == nullptr || !transportSection->fingerprint) {
    return HttpResponse::Text(400, "offer has no usable section with a fingerprint\n");
  }

  WebRtcTransport::Options transportOptions;
  transportOptions.role = WebRtcTransport::Role::Server;
  transportOptions.localUfrag = ufrag;
  transportOptions.localPwd = pwd;
  transportOptions.remoteUfrag = transportSection->iceUfrag;
  transportOptions.remotePwd = transportSection->icePwd;
  transportOptions.remoteFingerprintAlgorithm = transportSection->fingerprint->algorithm;
  transportOptions.remoteFingerprint = transportSection->fingerprint->value;
  transportOptions.dtls = dtlsOptions;

  struct Outcome {
    bool started = false;
    bool full = false;
  };
  auto outcome = std::make_shared<Outcome>();
  const bool ran = RunOnWorker([outcome, streams, transportOptions, ufrag, certificate = certificate_,
                                &demuxer = demuxer_](const std::shared_ptr<WorkerState>& state) {
    if (state->sessions.size() >= kMaxSessions) {
      outcome->full = true;
      return;
    }
    std::weak_ptr<WorkerState> weak = state;
    auto session =
        std::make_unique<EchoSession>(streams, transportOptions, certificate, demuxer,
                                      [weak, &demuxer](EchoSession& s, WebRtcTransport::CloseReason reason) {
                                        auto st = weak.lock();
                                        if (!st) return;
                                        ++st->closed;
                                        if (reason == WebRtcTransport::CloseReason::ConsentExpired)
                                          ++st->dropped;
                                        // Not from inside the transport's callback: destroy on the next turn
                                        // of the loop.
                                        demuxer.Worker().Post([weak, id = s.Id()] {
                                          if (auto later = weak.lock()) later->sessions.erase(id);
                                        });
                                      });
    outcome->started = session->Start();
    if (outcome->started) {
      ++state->created;
      state->sessions.emplace(ufrag, std::move(session));
    }
  });
  if (!ran) return HttpResponse::Text(503, "media worker busy\n");
  if (outcome->full) return HttpResponse::Text(503, "too many echo sessions\n");
  if (!outcome->started) return HttpResponse::Text(400, "unusable DTLS fingerprint in the offer\n");
  log::Info("api", "echo session {} created", ufrag);
  return HttpResponse::Text(200, result->sdp, "application/sdp");
}

HttpResponse EchoService::HandleStats() {
  auto result = std::make_shared<nlohmann::json>();
  const bool ran = RunOnWorker([result, &demuxer = demuxer_](const std::shared_ptr<WorkerState>& state) {
    nlohmann::json& body = *result;
    const auto& c = demuxer.GetCounters();
    body["demuxer"] = {{"stun", c.stun},
                       {"dtls", c.dtls},
                       {"rtp", c.rtp},
                       {"rtcp", c.rtcp},
                       {"unknownKind", c.unknownKind},
                       {"badStun", c.badStun},
                       {"unknownUfrag", c.unknownUfrag},
                       {"unknownAddress", c.unknownAddress}};
    body["created"] = state->created;
    body["closed"] = state->closed;
    body["dropped"] = state->dropped;
    auto& list = body["sessions"] = nlohmann::json::array();
    for (const auto& [id, session] : state->sessions) {
      const auto& t = session->Transport();
      const auto& tc = t.GetCounters();
      const auto& ec = session->GetCounters();
      auto profile = t.NegotiatedProfile();
      auto selected = t.SelectedAddress();
      list.push_back({{"id", id},
                      {"connected", t.IsConnected()},
                      {"srtpProfile", profile ? std::string(webrtc::srtp::SrtpProfileName(*profile)) : ""},
                      {"selected", selected ? selected->ToString() : ""},
                      {"rtpIn", tc.rtpIn},
                      {"rtcpIn", tc.rtcpIn},
                      {"rtpOut", tc.rtpOut},
                      {"rtcpOut", tc.rtcpOut},
                      {"srtpAuthDrops", tc.Dropped(WebRtcTransport::Drop::SrtpAuth)},
                      {"srtpReplayDrops", tc.Dropped(WebRtcTransport::Drop::SrtpReplay)},
                      {"echoed", ec.echoedRtp},
                      {"forwardedPli", ec.forwardedPli},
                      {"forwardedFir", ec.forwardedFir},
                      {"forwardedNack", ec.forwardedNack}});
    }
  });
  if (!ran) return HttpResponse::Text(503, "media worker busy\n");
  return HttpResponse::FromJson(200, *result);
}

}  // namespace medicall::media::echo
