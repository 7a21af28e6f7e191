#include "webrtc/sdp/AnswerBuilder.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "common/Logger.hpp"
#include "webrtc/sdp/SdpWriter.hpp"

namespace medicall::webrtc::sdp {

namespace {

constexpr uint32_t kHostPriority = (126u << 24) | (65535u << 8) | 255u;  // RFC 8445 section 5.1.2.1
constexpr std::string_view kProtocol = "UDP/TLS/RTP/SAVPF";
constexpr std::string_view kH264Fmtp =
    "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f";
// What we receive (RFC 7587 section 7): the mixer decodes mono Opus with in-band FEC. The offer's own
// fmtp (Firefox: maxplaybackrate=48000;stereo=1) describes what the offerer receives, not what we do.
constexpr std::string_view kOpusFmtp = "minptime=10;useinbandfec=1";

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

bool SupportedFeedback(const RtcpFeedback& fb) {
  return (fb.type == "nack" && (fb.parameter.empty() || fb.parameter == "pli")) ||
         (fb.type == "ccm" && fb.parameter == "fir") || (fb.type == "goog-remb" && fb.parameter.empty()) ||
         (fb.type == "transport-cc" && fb.parameter.empty());
}

bool SupportedExtension(std::string_view u, MediaKind kind) {
  if (u == uri::kMid || u == uri::kAbsSendTime || u == uri::kTransportWideCc) return true;
  if (u == uri::kAudioLevel) return kind == MediaKind::Audio;
  if (u == uri::kRtpStreamId || u == uri::kRepairedRtpStreamId || u == uri::kVideoOrientation)
    return kind == MediaKind::Video;
  return false;
}

Codec AnswerCodec(const Codec& offered, std::string fmtp) {
  Codec c;
  c.payloadType = offered.payloadType;
  c.name = offered.name;
  c.clockRate = offered.clockRate;
  c.channels = offered.channels;
  c.fmtp = std::move(fmtp);
  for (const RtcpFeedback& fb : offered.feedback) {
    if (SupportedFeedback(fb)) c.feedback.push_back(fb);
  }
  return c;
}

void AddWithRtx(const MediaSection& offer, const Codec& codec, std::string fmtp, MediaSection& answer) {
  answer.codecs.push_back(AnswerCodec(codec, std::move(fmtp)));
  if (const Codec* rtx = offer.FindRtxFor(codec.payloadType)) {
    Codec r;
    r.payloadType = rtx->payloadType;
    r.name = rtx->name;
    r.clockRate = rtx->clockRate;
    r.fmtp = "apt=" + std::to_string(codec.payloadType);
    answer.codecs.push_back(std::move(r));
  }
}

// Picks codecs into `answer`; false if none is acceptable.
bool ChooseCodecs(const MediaSection& offer, const AnswerOptions& options, const SectionOptions& section,
                  MediaSection& answer) {
  if (offer.kind == MediaKind::Audio) {
    for (const Codec& c : offer.codecs) {
      if (EqualsNoCase(c.name, "opus") && c.clockRate == 48000 && c.channels == 2) {
        answer.codecs.push_back(AnswerCodec(c, std::string(kOpusFmtp)));
        return true;
      }
    }
    return false;
  }
  if (offer.kind != MediaKind::Video) return false;
  const Codec* vp8 = AnswerBuilder::FindVp8(offer);
  const Codec* h264 =
      options.enableH264 && !section.vp8Only ? AnswerBuilder::FindH264ConstrainedBaseline(offer) : nullptr;
  if (h264 != nullptr && options.preferH264) AddWithRtx(offer, *h264, std::string(kH264Fmtp), answer);
  if (vp8 != nullptr) AddWithRtx(offer, *vp8, vp8->fmtp, answer);
  if (h264 != nullptr && !options.preferH264) AddWithRtx(offer, *h264, std::string(kH264Fmtp), answer);
  return !answer.codecs.empty();
}

// Bundle-wide extension table: one id per URI and one URI per id.
class ExtensionTable {
 public:
  bool Accept(const Extmap& e) {
    for (const auto& [id, u] : entries_) {
      if (id == e.id || u == e.uri) return id == e.id && u == e.uri;
    }
    entries_.emplace_back(e.id, e.uri);
    return true;
  }
  ExtensionIds Ids() const {
    ExtensionIds ids;
    for (const auto& [id, u] : entries_) {
      auto small = static_cast<uint8_t>(id);
      if (u == uri::kMid) ids.mid = small;
      if (u == uri::kAbsSendTime) ids.absSendTime = small;
      if (u == uri::kTransportWideCc) ids.transportWideCc = small;
      if (u == uri::kAudioLevel) ids.audioLevel = small;
      if (u == uri::kRtpStreamId) ids.rtpStreamId = small;
      if (u == uri::kRepairedRtpStreamId) ids.repairedRtpStreamId = small;
      if (u == uri::kVideoOrientation) ids.videoOrientation = small;
    }
    return ids;
  }

 private:
  std::vector<std::pair<uint16_t, std::string>> entries_;
};

MediaSection Rejected(const MediaSection& offer) {
  MediaSection m;
  m.kind = offer.kind;
  m.media = offer.media;
  m.port = 0;
  m.protocol = offer.protocol;
  m.connectionAddress = "0.0.0.0";
  m.formats =
      offer.formats.empty() ? std::vector<std::string>{"0"} : std::vector<std::string>{offer.formats[0]};
  m.mid = offer.mid;
  m.direction = Direction::Inactive;
  return m;
}

// Why an offered m= section cannot be taken as it stands (empty: it can).
std::string Unusable(const MediaSection& o) {
  if (o.Rejected()) return "rejected by the offer";
  if (o.mid.empty()) return "no mid";
  if (!o.rtcpMux) return "no rtcp-mux";
  if (o.protocol != kProtocol) return "protocol " + o.protocol;
  if (o.kind != MediaKind::Audio && o.kind != MediaKind::Video) return "not audio or video";
  return {};
}

}  // namespace

const Codec* AnswerBuilder::FindVp8(const MediaSection& m) {
  for (const Codec& c : m.codecs) {
    if (EqualsNoCase(c.name, "VP8") && c.clockRate == 90000) return &c;
  }
  return nullptr;
}

const Codec* AnswerBuilder::FindH264ConstrainedBaseline(const MediaSection& m) {
  for (const Codec& c : m.codecs) {
    if (!EqualsNoCase(c.name, "H264") || c.clockRate != 90000) continue;
    auto mode = c.FmtpParameter("packetization-mode");
    auto profile = c.FmtpParameter("profile-level-id");
    if (mode == std::string_view("1") && profile && EqualsNoCase(*profile, "42e01f")) return &c;
  }
  return nullptr;
}

SectionOptions AnswerBuilder::SectionFor(const std::string& mid) const {
  auto configured = sections_.find(mid);
  return configured != sections_.end() ? configured->second : SectionOptions{};
}

AnswerBuilder& AnswerBuilder::SetSection(const std::string& mid, SectionOptions section) {
  sections_[mid] = std::move(section);
  return *this;
}

std::optional<AnswerResult> AnswerBuilder::Build(const SessionDescription& offer, std::string* error) const {
  auto fail = [&](std::string why) -> std::optional<AnswerResult> {
    log::Debug("sdp", "cannot answer: {}", why);
    if (error != nullptr) *error = std::move(why);
    return std::nullopt;
  };
  if (options_.iceUfrag.empty() || options_.icePwd.empty() || options_.fingerprintSha256.empty() ||
      ((options_.candidateIp.empty() || options_.candidatePort == 0) && options_.candidates.empty())) {
    return fail("incomplete local parameters");
  }
  AnswerResult result;
  SessionDescription& answer = result.answer;
  answer.sessionId = options_.sessionId;
  answer.sessionVersion = options_.sessionVersion;
  answer.iceLite = true;
  answer.extmapAllowMixed = offer.extmapAllowMixed;
  answer.msidSemantic = "WMS";
  ExtensionTable extensions;
  size_t accepted = 0;

  // RFC 8843 section 7.3.3 / RFC 9429 section 5.3.1: the offerer-tagged m= section (the first mid
  // of the BUNDLE group) cannot be rejected alone; if we cannot take it, every bundled section goes.
  bool bundleLost = false;
  if (!offer.bundleMids.empty()) {
    const MediaSection* tagged = offer.FindMid(offer.bundleMids.front());
    MediaSection probe;
    bundleLost = tagged == nullptr || !Unusable(*tagged).empty() ||
                 !ChooseCodecs(*tagged, options_, SectionFor(tagged->mid), probe);
  }

  for (const MediaSection& o : offer.media) {
    bool usable = Unusable(o).empty() && !(bundleLost && offer.IsBundled(o.mid));
    MediaSection m;
    m.kind = o.kind;
    m.media = o.media;
    m.protocol = o.protocol;
    m.mid = o.mid;
    const SectionOptions wish = SectionFor(o.mid);
    if (usable && !ChooseCodecs(o, options_, wish, m)) usable = false;
    if (usable) {
      if (o.iceUfrag.empty() || o.icePwd.empty()) return fail("m=" + o.mid + ": no ICE credentials");
      if (!o.fingerprint || o.fingerprint->algorithm != "sha-256") {
        return fail("m=" + o.mid + ": no sha-256 fingerprint");
      }
      if (o.setup == SetupRole::Passive || o.setup == SetupRole::HoldConn) {
        return fail("m=" + o.mid + ": offer is DTLS passive");
      }
    }
    if (!usable) {
      answer.media.push_back(Rejected(o));
      continue;
    }
    ++accepted;
    if (!options_.candidates.empty()) {
      m.port = options_.candidates.front().port;
      m.connectionAddress = options_.candidates.front().address;
      m.candidates = options_.candidates;
    } else {
      m.port = options_.candidatePort;
      m.connectionAddress = options_.candidateIp;
      m.candidates.push_back(Candidate{"1",
                                       1,
                                       "udp",
                                       kHostPriority,
                                       options_.candidateIp,
                                       options_.candidatePort,
                                       "host",
                                       {},
                                       0,
                                       {},
                                       std::nullopt});
    }
    m.endOfCandidates = true;
    m.iceUfrag = options_.iceUfrag;
    m.icePwd = options_.icePwd;
    m.fingerprint = Fingerprint{"sha-256", options_.fingerprintSha256};
    m.setup = SetupRole::Passive;
    m.rtcpMux = true;
    m.rtcpRsize = o.rtcpRsize;
    m.extmapAllowMixed = o.extmapAllowMixed;
    for (const Extmap& e : o.extmaps) {
      if (SupportedExtension(e.uri, o.kind) && e.id <= 255 && extensions.Accept(e)) {
        // A direction on the offered extension is the offerer's; ours is its reverse (RFC 8285 section 6).
        std::optional<Direction> direction;
        if (e.direction) direction = Reverse(*e.direction);
        m.extmaps.push_back(Extmap{e.id, e.uri, direction});
      }
    }
    for (const Codec& c : m.codecs) m.formats.push_back(std::to_string(c.payloadType));

    // Direction: ours as configured, limited to what the offer allows.
    bool send = Sends(wish.direction) && Receives(o.direction) && wish.send.has_value();
    bool receive = Receives(wish.direction) && Sends(o.direction);
    m.direction = MakeDirection(send, receive);
    if (wish.sendRecvWithoutMedia && receive && o.direction == Direction::SendRecv && !send)
      m.direction = Direction::SendRecv;  // nothing is sent: no a=msid, no a=ssrc
    if (send) {
      const SendParameters& p = *wish.send;
      m.msidStream = p.msidStream;
      m.msidTrack = p.msidTrack;
      bool rtx =
          o.kind == MediaKind::Video && p.rtxSsrc != 0 &&
          std::any_of(m.codecs.begin(), m.codecs.end(), [](const Codec& c) { return c.name == "rtx"; });
      if (rtx) m.ssrcGroups.push_back(SsrcGroup{"FID", {p.ssrc, p.rtxSsrc}});
      m.ssrcs.push_back(SsrcInfo{p.ssrc, p.cname, p.msidStream, p.msidTrack});
      if (rtx) m.ssrcs.push_back(SsrcInfo{p.rtxSsrc, p.cname, p.msidStream, p.msidTrack});
    }
    // Simulcast (a=rid / a=simulcast, RFC 8851 / RFC 8853) only where configured: without
    // a=simulcast in the answer the browser sends a single encoding (RFC 8853 section 5.3; JSEP
    // RFC 9429 section 5.10), its first one.
    if (receive && wish.receiveSimulcast) {
      const std::vector<std::string> rids = o.SimulcastSendRids();
      std::string list;
      for (const std::string& rid : rids) {
        m.rids.push_back(Rid{rid, false, {}});
        list += (list.empty() ? "" : ";") + rid;
      }
      if (!list.empty()) m.simulcast = "recv " + list;
    }
    answer.media.push_back(std::move(m));
  }
  if (accepted == 0) return fail("no acceptable m= section");
  for (const std::string& mid : offer.bundleMids) {
    const MediaSection* m = answer.FindMid(mid);
    if (m != nullptr && !m->Rejected()) answer.bundleMids.push_back(mid);
  }
  result.extensions = extensions.Ids();
  result.sdp = SdpWriter::Write(answer);
  return result;
}

}  // namespace medicall::webrtc::sdp
