#pragma once
// VP8 payload descriptor, RFC 7741 section 4.2 (https://www.rfc-editor.org/rfc/rfc7741#section-4.2):
//        0 1 2 3 4 5 6 7
//       +-+-+-+-+-+-+-+-+
//       |X|R|N|S|R| PID | (REQUIRED)
//       +-+-+-+-+-+-+-+-+
//  X:   |I|L|T|K| RSV   | (OPTIONAL)
//       +-+-+-+-+-+-+-+-+
//  I:   |M| PictureID   | (OPTIONAL)
//       +-+-+-+-+-+-+-+-+
//       |   PictureID   | (if M = 1)
//       +-+-+-+-+-+-+-+-+
//  L:   |   TL0PICIDX   | (OPTIONAL)
//       +-+-+-+-+-+-+-+-+
//  T/K: |TID|Y| KEYIDX  | (OPTIONAL)
//       +-+-+-+-+-+-+-+-+
// followed, at the start of a partition 0, by the VP8 payload header (section 4.3):
//       |Size0|H| VER |P|   P = 0 for a key frame (inverse key frame flag)
// and for key frames by the start code 0x9d 0x01 0x2a (RFC 6386 section 9.1).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace medicall::webrtc::rtp {

struct Vp8PayloadDescriptor {
  bool nonReference = false;
  bool startOfPartition = false;
  uint8_t partitionId = 0;
  std::optional<uint16_t> pictureId;  // 7 or 15 bits
  bool pictureId15Bit = false;
  std::optional<uint8_t> tl0PicIdx;
  std::optional<uint8_t> temporalId;  // TID, present with T
  bool layerSync = false;             // Y, meaningful with T
  std::optional<uint8_t> keyIdx;      // present with K
  size_t size = 0;                    // descriptor length in bytes

  // nullopt when the descriptor claims more bytes than the payload holds or nothing follows it.
  static std::optional<Vp8PayloadDescriptor> Parse(std::span<const uint8_t> payload);
  // True for the first packet of a key frame: S=1, PID=0, P=0 in the payload header and the start code.
  static bool IsKeyframe(std::span<const uint8_t> payload);
};

}  // namespace medicall::webrtc::rtp
