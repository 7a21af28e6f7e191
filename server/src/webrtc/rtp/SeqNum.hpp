#pragma once
// 16-bit RTP sequence number arithmetic with wrap-around (RFC 3550 section A.1, "serial number"
// comparison as in RFC 1982): a is newer than b when the forward distance from b to a is below 2^15.
#include <cstdint>

namespace medicall::webrtc::rtp {

class SeqNum {
 public:
  // Signed distance from b to a in the range [-32768, 32767]: Diff(1, 65535) == 2.
  static constexpr int32_t Diff(uint16_t a, uint16_t b) {
    return static_cast<int16_t>(static_cast<uint16_t>(a - b));
  }
  // True when a comes after b. Exactly half-way (distance 0x8000) counts as newer when a > b, so the
  // relation stays antisymmetric.
  static constexpr bool IsNewer(uint16_t a, uint16_t b) {
    const uint16_t d = static_cast<uint16_t>(a - b);
    if (d == 0x8000) return a > b;
    return d != 0 && d < 0x8000;
  }
  static constexpr bool IsNewerOrEqual(uint16_t a, uint16_t b) { return a == b || IsNewer(a, b); }
  // The later of the two, in wrap-around order.
  static constexpr uint16_t Latest(uint16_t a, uint16_t b) { return IsNewer(a, b) ? a : b; }
};

}  // namespace medicall::webrtc::rtp
