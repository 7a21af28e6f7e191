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
  uint16_t port = 9;                 // 0 = rejected / disabled, unless bundleOnly (see Rejected())
  std::string protocol;              // "UDP/TLS/RTP/SAVPF"
  std::vector<std::string> formats;  // payload types (or "webrtc-datachannel"), in preference order
  std::string connectionAddress;     // from c=IN IP4|IP6 <address>
  std::string mid;
  Direction direction = Direction::SendRecv;
  bool rtcpMux = false;
  bool rtcpRsize = false;
  // a=bundle-only with port 0 (RFC 8843 section 6): a live section that shares the BUNDLE transport.
  // The parser keeps it only where it has a meaning: port 0 and the mid in the BUNDLE group. Outside
  // the group the section cannot be accepted (RFC 8843 section 7.3.2), so it reads as rejected; with a
  // non-zero port its use is unspecified and it is ignored (as Chromium and Firefox do).
  bool bundleOnly = false;
  bool extmapAllowMixed = false;  // a=extmap-allow-mixed at media level (RFC 8285 section 6; Firefox)
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

  // Rejected or disabled: port 0 without a=bundle-only (RFC 3264 section 6, RFC 8843 section 7.5.3).
  bool Rejected() const { return port == 0 && !bundleOnly; }
  const Codec* FindCodec(uint8_t payloadType) const;
  // The RTX codec whose fmtp apt= names `payloadType` (RFC 4588 section 8.6), or nullptr.
  const Codec* FindRtxFor(uint8_t payloadType) const;
  const Extmap* FindExtmap(std::string_view uri) const;
  // The SSRC group with `semantics` (e.g. "FID") containing `ssrc`, or nullptr.
  const SsrcGroup* FindSsrcGroup(std::string_view semantics) const;
  // The rids of a=simulcast's send direction in order (RFC 8853 section 5.1: "send low;~mid;hi" ->
  // low, mid, hi; "~" marks a paused stream, "," alternatives of which the first is taken), each also
  // declared by an a=rid:<id> send line. Empty without simulcast.
  std::vector<std::string> SimulcastSendRids() const;
};

}  // namespace medicall::webrtc::sdp
