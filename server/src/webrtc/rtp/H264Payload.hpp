#pragma once
// Inspection of H.264 RTP payloads, RFC 6184 (https://www.rfc-editor.org/rfc/rfc6184#section-5):
// NAL unit header (section 1.3)      |F|NRI|  Type   |
// single NAL unit packet (5.6)      types 1-23
// STAP-A (5.7.1), type 24:          | STAP-A hdr | NALU 1 size (16) | NALU 1 | NALU 2 size | NALU 2 | ...
// FU-A (5.8), type 28:              | FU indicator |S|E|R| Type | fragment ...
// NAL sizes are never trusted: a size running past the payload or a zero size marks the packet invalid.
#include <cstdint>
#include <span>

namespace medicall::webrtc::rtp {

class H264Payload {
 public:
  static constexpr uint8_t kNalIdr = 5;
  static constexpr uint8_t kNalSps = 7;
  static constexpr uint8_t kNalPps = 8;
  static constexpr uint8_t kNalStapA = 24;
  static constexpr uint8_t kNalFuA = 28;

  struct Info {
    bool valid = false;
    bool hasIdr = false;  // an IDR slice, or the first fragment of one
    bool hasSps = false;
    bool hasPps = false;
    // The packet starts a key frame (SPS or IDR present); false for invalid packets.
    bool IsKeyframe() const { return valid && (hasIdr || hasSps); }
  };

  static Info Inspect(std::span<const uint8_t> payload);
  static bool IsKeyframe(std::span<const uint8_t> payload) { return Inspect(payload).IsKeyframe(); }
};

}  // namespace medicall::webrtc::rtp
