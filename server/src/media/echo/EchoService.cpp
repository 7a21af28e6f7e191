#include "media/echo/EchoService.hpp"

#include <openssl/rand.h>

#include <chrono>
#include <future>
#include <nlohmann/json.hpp>

#include "common/Logger.hpp"
#include "webrtc/sdp/AnswerBuilder.hpp"
#include "webrtc/sdp/LocalCandidates.hpp"
#include "webrtc/sdp/SdpParser.hpp"

namespace medicall::media::echo {

using webrtc::transport::WebRtcTransport;
namespace sdp = webrtc::sdp;

namespace {

std::string RandomToken(size_t length) {
  // ICE ufrag/pwd characters (RFC 8839 section 5.4: ice-char = ALPHA / DIGIT / "+" / "/").
  static constexpr char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string out(length, 'a');
  std::vector<uint8_t> random(length);
  RAND_bytes(random.data(), static_cast<int>(random.size()));
  for (size_t i = 0; i < length; ++i) out[i] = kChars[random[i] % 62];
  return out;
}

uint32_t RandomSsrc() {
  uint32_t v = 0;
  while (v == 0) RAND_bytes(reinterpret_cast<unsigned char*>(&v), sizeof(v));
  return v;
}

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
                         std::shared_ptr<const webrtc::dtls::DtlsCertificate> certificate)
    : mediaAddresses_(config.MediaAddresses()), demuxer_(demuxer), certificate_(std::move(certificate)) {}

EchoService::~EchoService() {
  *alive_ = false;
  auto cleanup = [this] { sessions_.clear(); };
  if (!RunOnWorker(cleanup)) log::Error("api", "echo: media worker did not answer at shutdown");
}

template <typename F>
bool EchoService::RunOnWorker(F&& f) {
  // On the worker itself, or with no worker running (nothing can race us): run here.
  if (demuxer_.Worker().IsCurrentThread() || !demuxer_.Worker().IsRunning()) {
    f();
    return true;
  }
  auto done = std::make_shared<std::promise<void>>();
  auto future = done->get_future();
  demuxer_.Worker().Post([&f, done] {
    f();
    done->set_value();
  });
  // No timeout: `f` refers to the caller's stack, so it must not outlive this call.
  future.wait();
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

  const std::string ufrag = RandomToken(8);
  const std::string pwd = RandomToken(24);
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
  streams.audioSsrc = RandomSsrc();
  streams.videoSsrc = RandomSsrc();
  streams.rtxSsrc = RandomSsrc();
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

  bool started = false;
  bool full = false;
  const bool ran = RunOnWorker([&] {
    if (sessions_.size() >= kMaxSessions) {
      full = true;
      return;
    }
    std::weak_ptr<bool> alive = alive_;
    auto session =
        std::make_unique<EchoSession>(streams, transportOptions, certificate_, demuxer_,
                                      [this, alive](EchoSession& s, WebRtcTransport::CloseReason reason) {
                                        ++closed_;
                                        if (reason == WebRtcTransport::CloseReason::ConsentExpired)
                                          ++dropped_;
                                        // Not from inside the transport's callback: destroy on the next turn
                                        // of the loop.
                                        demuxer_.Worker().Post([this, alive, id = s.Id()] {
                                          if (auto a = alive.lock(); a && *a) sessions_.erase(id);
                                        });
                                      });
    started = session->Start();
    if (started) {
      ++created_;
      sessions_.emplace(ufrag, std::move(session));
    }
  });
  if (!ran) return HttpResponse::Text(503, "media worker busy\n");
  if (full) return HttpResponse::Text(503, "too many echo sessions\n");
  if (!started) return HttpResponse::Text(400, "unusable DTLS fingerprint in the offer\n");
  log::Info("api", "echo session {} created", ufrag);
  return HttpResponse::Text(200, result->sdp, "application/sdp");
}

HttpResponse EchoService::HandleStats() {
  nlohmann::json body;
  const bool ran = RunOnWorker([&] {
    const auto& c = demuxer_.GetCounters();
    body["demuxer"] = {{"stun", c.stun},
                       {"dtls", c.dtls},
                       {"rtp", c.rtp},
                       {"rtcp", c.rtcp},
                       {"unknownKind", c.unknownKind},
                       {"badStun", c.badStun},
                       {"unknownUfrag", c.unknownUfrag},
                       {"unknownAddress", c.unknownAddress}};
    body["created"] = created_;
    body["closed"] = closed_;
    body["dropped"] = dropped_;
    auto& list = body["sessions"] = nlohmann::json::array();
    for (const auto& [id, session] : sessions_) {
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
  return HttpResponse::Json(200, body.dump());
}

}  // namespace medicall::media::echo
