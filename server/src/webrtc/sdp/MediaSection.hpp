#pragma once
// One m= section (RFC 8866 section 5.14) with the WebRTC attributes of RFC 8829 section 5.
#include <optional>
#include <string>
#include <vector>

#include "webrtc/sdp/SdpTypes.hpp"

namespace medicall::webrtc::sdp {

struct MediaSection {
  MediaKind kind = MediaKind::Other;
  std::string media;                 // "audio", "video", "application", ...
  uint16_t port = 9;                 // 0 = rejected / disabled
  std::string protocol;              // "UDP/TLS/RTP/SAVPF"
  std::vector<std::string> formats;  // payload types (or "webrtc-datachannel"), in preference order
  std::string connectionAddress;     // from c=IN IP4|IP6 <address>
  std::string mid;
  Direction direction = Direction::SendRecv;
  bool rtcpMux = false;
  bool rtcpRsize = false;
  bool bundleOnly = false;
  std::string iceUfrag;
  std::string icePwd;
  std::vector<std::string> iceOptions;
  std::optional<Fingerprint> fingerprint;
  SetupRole setup = SetupRole::None;
  std::string msidStream;  // a=msid:<stream> <track>
  std::string msidTrack;
  std::vector<Codec> codecs;  // in m= line order, only payload types listed there
  std::vector<Extmap> extmaps;
  std::vector<SsrcInfo> ssrcs;
  std::vector<SsrcGroup> ssrcGroups;
  std::vector<Rid> rids;
  std::string simulcast;  // a=simulcast value verbatim (RFC 8853), e.g. "send f;h;q"
  std::vector<Candidate> candidates;
  bool endOfCandidates = false;
  bool operator==(const MediaSection&) const = default;

  bool Rejected() const { return port == 0; }
  const Codec* FindCodec(uint8_t payloadType) const;
  // The RTX codec whose fmtp apt= names `payloadType` (RFC 4588 section 8.6), or nullptr.
  const Codec* FindRtxFor(uint8_t payloadType) const;
  const Extmap* FindExtmap(std::string_view uri) const;
  // The SSRC group with `semantics` (e.g. "FID") containing `ssrc`, or nullptr.
  const SsrcGroup* FindSsrcGroup(std::string_view semantics) const;
};

}  // namespace medicall::webrtc::sdp
