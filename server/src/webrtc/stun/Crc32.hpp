#pragma once
// CRC-32 (ISO 3309 / ITU-T V.42, the one in zlib and Ethernet), as STUN's FINGERPRINT uses it
// (RFC 8489 section 14.7). Table driven, reflected polynomial 0xEDB88320. No allocation.
#include <cstdint>
#include <span>

namespace medicall::webrtc::stun {

class Crc32 {
 public:
  // Continues a running CRC: start with Update(0, first), then Update(previous, next).
  static uint32_t Update(uint32_t crc, std::span<const uint8_t> data);
  static uint32_t Compute(std::span<const uint8_t> data) { return Update(0, data); }
};

}  // namespace medicall::webrtc::stun
