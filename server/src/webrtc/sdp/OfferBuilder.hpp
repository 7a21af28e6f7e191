#pragma once
// Builds an SDP offer for the C++ client role (test client, load generator): one sendrecv audio
// section (Opus) and one sendrecv video section (VP8 + RTX, optionally H.264 42e01f + RTX), BUNDLEd,
// rtcp-mux, a=setup:actpass, no ice-lite, the extension ids Chromium uses. The server answers it
// with AnswerBuilder like any browser offer.
#include <cstddef>
#include <optional>
#include <string>

#include "webrtc/sdp/SessionDescription.hpp"

namespace medicall::webrtc::sdp {

struct OfferOptions {
  std::string iceUfrag;
  std::string icePwd;
  std::string fingerprintSha256;
  std::string candidateIp;  // our host candidate; empty = none (trickled later)
  uint16_t candidatePort = 0;
  std::string cname = "medicall-client";
  std::string msidStream = "stream0";
  std::string audioTrack = "audio0";
  std::string videoTrack = "video0";
  uint32_t audioSsrc = 0;
  uint32_t videoSsrc = 0;
  uint32_t videoRtxSsrc = 0;
  bool includeH264 = false;
  // recvonly video sections after the camera (mids 2, 3, ...): copies of its codecs and extensions.
  size_t recvOnlyVideoSections = 0;
  bool sendVideo = true;  // false: the camera section (mid 1) is inactive, without SSRCs
  std::string sessionId = "1";
};

class OfferBuilder {
 public:
  // Payload types and extension ids of the offer (as Chromium numbers them).
  static constexpr uint8_t kOpusPt = 111;
  static constexpr uint8_t kVp8Pt = 96;
  static constexpr uint8_t kVp8RtxPt = 97;
  static constexpr uint8_t kH264Pt = 108;
  static constexpr uint8_t kH264RtxPt = 109;

  static SessionDescription Build(const OfferOptions& options);
};

}  // namespace medicall::webrtc::sdp
