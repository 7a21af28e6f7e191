#include "webrtc/sdp/OfferBuilder.hpp"

namespace medicall::webrtc::sdp {

namespace {

constexpr uint32_t kHostPriority = (126u << 24) | (65535u << 8) | 255u;

std::vector<RtcpFeedback> VideoFeedback() {
  return {{"goog-remb", ""}, {"transport-cc", ""}, {"ccm", "fir"}, {"nack", ""}, {"nack", "pli"}};
}

MediaSection Common(const OfferOptions& o, MediaKind kind, std::string mid) {
  MediaSection m;
  m.kind = kind;
  m.media = kind == MediaKind::Audio ? "audio" : "video";
  m.port = o.candidateIp.empty() ? 9 : o.candidatePort;
  m.protocol = "UDP/TLS/RTP/SAVPF";
  m.connectionAddress = o.candidateIp.empty() ? "0.0.0.0" : o.candidateIp;
  if (!o.candidateIp.empty()) {
    m.candidates.push_back(
        Candidate{"1", 1, "udp", kHostPriority, o.candidateIp, o.candidatePort, "host", {}, 0, {}, 0u});
  }
  m.iceUfrag = o.iceUfrag;
  m.icePwd = o.icePwd;
  m.fingerprint = Fingerprint{"sha-256", o.fingerprintSha256};
  m.setup = SetupRole::ActPass;
  m.mid = std::move(mid);
  m.direction = Direction::SendRecv;
  m.rtcpMux = true;
  m.rtcpRsize = true;
  m.msidStream = o.msidStream;
  return m;
}

}  // namespace

SessionDescription OfferBuilder::Build(const OfferOptions& o) {
  SessionDescription sd;
  sd.sessionId = o.sessionId;
  sd.sessionVersion = "2";
  sd.bundleMids = {"0", "1"};
  sd.extmapAllowMixed = true;
  sd.msidSemantic = "WMS " + o.msidStream;

  MediaSection audio = Common(o, MediaKind::Audio, "0");
  audio.extmaps = {{1, std::string(uri::kAudioLevel), std::nullopt},
                   {2, std::string(uri::kAbsSendTime), std::nullopt},
                   {3, std::string(uri::kTransportWideCc), std::nullopt},
                   {4, std::string(uri::kMid), std::nullopt}};
  audio.msidTrack = o.audioTrack;
  audio.codecs.push_back(
      Codec{kOpusPt, "opus", 48000, 2, "minptime=10;useinbandfec=1", {{"transport-cc", ""}}});
  audio.ssrcs.push_back(SsrcInfo{o.audioSsrc, o.cname, o.msidStream, o.audioTrack});

  MediaSection video = Common(o, MediaKind::Video, "1");
  video.extmaps = {{2, std::string(uri::kAbsSendTime), std::nullopt},
                   {3, std::string(uri::kTransportWideCc), std::nullopt},
                   {4, std::string(uri::kMid), std::nullopt},
                   {10, std::string(uri::kRtpStreamId), std::nullopt},
                   {11, std::string(uri::kRepairedRtpStreamId), std::nullopt}};
  video.msidTrack = o.videoTrack;
  video.codecs.push_back(Codec{kVp8Pt, "VP8", 90000, 0, "", VideoFeedback()});
  video.codecs.push_back(Codec{kVp8RtxPt, "rtx", 90000, 0, "apt=96", {}});
  if (o.includeH264) {
    video.codecs.push_back(Codec{kH264Pt, "H264", 90000, 0,
                                 "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
                                 VideoFeedback()});
    video.codecs.push_back(Codec{kH264RtxPt, "rtx", 90000, 0, "apt=108", {}});
  }
  if (o.videoRtxSsrc != 0) video.ssrcGroups.push_back(SsrcGroup{"FID", {o.videoSsrc, o.videoRtxSsrc}});
  video.ssrcs.push_back(SsrcInfo{o.videoSsrc, o.cname, o.msidStream, o.videoTrack});
  if (o.videoRtxSsrc != 0)
    video.ssrcs.push_back(SsrcInfo{o.videoRtxSsrc, o.cname, o.msidStream, o.videoTrack});

  for (MediaSection* m : {&audio, &video}) {
    for (const Codec& c : m->codecs) m->formats.push_back(std::to_string(c.payloadType));
  }
  sd.media.push_back(std::move(audio));
  sd.media.push_back(video);
  // One recvonly section per video stream to receive, as the Chime SDK adds a transceiver for each.
  for (size_t i = 0; i < o.recvOnlyVideoSections; ++i) {
    MediaSection m = video;
    m.mid = std::to_string(2 + i);
    m.direction = Direction::RecvOnly;
    m.ssrcs.clear();
    m.ssrcGroups.clear();
    m.msidStream.clear();
    m.msidTrack.clear();
    sd.bundleMids.push_back(m.mid);
    sd.media.push_back(std::move(m));
  }
  if (!o.sendVideo) {  // no camera: the section stays (the SDK keeps its transceiver), inactive
    MediaSection& camera = sd.media[1];
    camera.direction = Direction::Inactive;
    camera.ssrcs.clear();
    camera.ssrcGroups.clear();
    camera.msidStream.clear();
    camera.msidTrack.clear();
  }
  return sd;
}

}  // namespace medicall::webrtc::sdp
