#pragma once
// Sorts a datagram received on the shared media port by its first byte, in one place
// (RFC 7983 section 7, https://www.rfc-editor.org/rfc/rfc7983#section-7):
//
//                  +----------------+
//                  |        [0..3] -+--> forward to STUN
//                  |                |
//                  |      [16..19] -+--> forward to ZRTP (dropped here)
//      packet -->  |                |
//                  |      [20..63] -+--> forward to DTLS
//                  |                |
//                  |      [64..79] -+--> forward to TURN Channel (dropped here)
//                  |                |
//                  |    [128..191] -+--> forward to RTP/RTCP
//                  +----------------+
//
// RTP and RTCP share the port (rtcp-mux, RFC 5761 section 4): a second byte (M bit + PT) of
// 192-223 is RTCP (SR 200 .. XR 207, feedback 205/206, and the rest of that range).
#include <cstdint>
#include <span>

namespace medicall::webrtc::transport {

enum class PacketKind : uint8_t { Stun, Dtls, Rtp, Rtcp, Unknown };

class PacketClassifier {
 public:
  static PacketKind Classify(std::span<const uint8_t> datagram) {
    if (datagram.empty()) return PacketKind::Unknown;
    const uint8_t b = datagram[0];
    if (b <= 3) return datagram.size() >= 20 ? PacketKind::Stun : PacketKind::Unknown;
    if (b >= 20 && b <= 63) return datagram.size() >= 13 ? PacketKind::Dtls : PacketKind::Unknown;
    if (b >= 128 && b <= 191) {
      if (datagram.size() < 8) return PacketKind::Unknown;
      const uint8_t pt = datagram[1];
      if (pt >= 192 && pt <= 223) return PacketKind::Rtcp;
      return datagram.size() >= 12 ? PacketKind::Rtp : PacketKind::Unknown;
    }
    return PacketKind::Unknown;
  }
};

}  // namespace medicall::webrtc::transport
