#pragma once
// A whole SDP offer or answer (RFC 8866 section 5) as WebRTC uses it (RFC 8829).
// Session-level ice-ufrag/ice-pwd/fingerprint/setup are copied into media sections that lack them
// by the parser, so readers can look at MediaSection only.
#include <string>
#include <vector>

#include "webrtc/sdp/MediaSection.hpp"

namespace medicall::webrtc::sdp {

struct SessionDescription {
  std::string originUsername = "-";
  std::string sessionId = "0";       // o= sess-id (digits, kept as text: it may exceed 64 bits)
  std::string sessionVersion = "0";  // o= sess-version
  std::string originAddress = "127.0.0.1";
  std::string sessionName = "-";
  std::vector<std::string> bundleMids;  // a=group:BUNDLE (the first BUNDLE group)
  bool iceLite = false;
  bool extmapAllowMixed = false;
  std::string msidSemantic;  // a=msid-semantic value, e.g. "WMS" or "WMS *"
  std::string iceUfrag;      // session-level values, if present
  std::string icePwd;
  std::optional<Fingerprint> fingerprint;
  SetupRole setup = SetupRole::None;
  std::vector<MediaSection> media;
  bool operator==(const SessionDescription&) const = default;

  const MediaSection* FindMid(std::string_view mid) const;
  bool IsBundled(std::string_view mid) const;
  // The section that carries the BUNDLE transport of an answer: the first one not rejected, with
  // candidates and a fingerprint (what a client connects to), or nullptr.
  const MediaSection* TransportSection() const;
};

}  // namespace medicall::webrtc::sdp
