#pragma once
// Which packets start a key frame, by the codec the publisher's section negotiated: VP8 (RFC 7741,
// Vp8PayloadDescriptor) and H.264 (RFC 6184, H264Payload: an IDR or SPS in a single NAL unit packet,
// in a STAP-A, or at the start of an FU-A). Other codecs are never detected (a subscriber waiting for a
// key frame of one stays waiting, which is why only these two may be forwarded).
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace medicall::webrtc::rtp {

enum class VideoCodec : uint8_t { kUnknown, kVp8, kH264 };

class KeyframeDetector {
 public:
  // From the a=rtpmap encoding name (case-insensitive, RFC 4855 section 3).
  static VideoCodec CodecFromName(std::string_view encodingName);
  static bool IsKeyframe(VideoCodec codec, std::span<const uint8_t> payload);
  // The picture size a key frame's first packet carries (VP8: the 14-bit width and height after the
  // start code, RFC 6386 section 9.1); nullopt for other packets and codecs.
  struct Size {
    uint16_t width = 0;
    uint16_t height = 0;
  };
  static std::optional<Size> KeyframeSize(VideoCodec codec, std::span<const uint8_t> payload);
};

}  // namespace medicall::webrtc::rtp
