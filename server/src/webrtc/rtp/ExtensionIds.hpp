#pragma once
// The RTP header-extension ids (RFC 8285) one transport negotiated, 0 = not negotiated. The SDP answer
// (webrtc/sdp/AnswerBuilder) fills them in; the packet path reads them without including SDP.
#include <cstdint>

namespace medicall::webrtc::rtp {

struct ExtensionIds {
  uint8_t mid = 0;                  // urn:ietf:params:rtp-hdrext:sdes:mid (RFC 8843 section 15.2)
  uint8_t absSendTime = 0;          // abs-send-time (webrtc.org experiment)
  uint8_t transportWideCc = 0;      // draft-holmer-rmcat-transport-wide-cc-extensions-01
  uint8_t audioLevel = 0;           // RFC 6464
  uint8_t rtpStreamId = 0;          // sdes:rtp-stream-id, the simulcast RID (RFC 8852 section 3.1)
  uint8_t repairedRtpStreamId = 0;  // sdes:repaired-rtp-stream-id on RTX (RFC 8852 section 3.2)
  uint8_t videoOrientation = 0;     // urn:3gpp:video-orientation, CVO (3GPP TS 26.114 section 7.4.5)
  bool operator==(const ExtensionIds&) const = default;
};

}  // namespace medicall::webrtc::rtp
