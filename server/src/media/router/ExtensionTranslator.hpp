#pragma once
// Moves the RFC 8285 header extensions of a forwarded packet (https://www.rfc-editor.org/rfc/rfc8285)
// from the publisher's negotiated ids to the subscriber's, in place and without allocation:
//  - sdes:mid (RFC 8843 section 15.2) gets the subscriber's mid when it has the same length,
//    otherwise the element is blanked (the subscriber demuxes by the SSRC signalled in its answer);
//  - abs-send-time is restamped with our send time (the receiver's bandwidth estimate needs it);
//  - transport-wide-cc gets the subscriber transport's own sequence number;
//  - video-orientation (urn:3gpp:video-orientation, CVO: 3GPP TS 26.114 section 7.4.5) keeps its one
//    byte under the subscriber's id, so the receiver rotates a phone's picture upright;
//  - everything else (rid, playout delay, ...) is blanked.
// Blanking writes zero bytes over element header and value: zero is padding in both forms
// (RFC 8285 sections 4.2 and 4.3), so the packet keeps its size and layout.
#include <cstdint>
#include <string_view>

#include "webrtc/rtp/RtpPacket.hpp"
#include "webrtc/rtp/ExtensionIds.hpp"

namespace medicall::media::router {

class ExtensionTranslator {
 public:
  struct Target {
    const webrtc::rtp::ExtensionIds* ids = nullptr;
    std::string_view mid;
    uint32_t absSendTime24 = 0;
    uint16_t transportSequence = 0;  // used when ids->transportWideCc != 0
  };
  // packet: a parsed view of a writable buffer (the forwarded copy).
  static void Translate(webrtc::rtp::RtpPacket& packet, const webrtc::rtp::ExtensionIds& from,
                        const Target& to);
  // 6.18 fixed-point seconds, 24 bits (abs-send-time), from a monotonic microsecond clock.
  static uint32_t AbsSendTime(int64_t nowUs) {
    return static_cast<uint32_t>(((static_cast<uint64_t>(nowUs) << 18) / 1000000) & 0xFFFFFF);
  }
};

}  // namespace medicall::media::router
