#include "webrtc/rtp/KeyframeDetector.hpp"

#include <algorithm>
#include <cctype>

#include "webrtc/rtp/H264Payload.hpp"
#include "webrtc/rtp/Vp8PayloadDescriptor.hpp"

namespace medicall::webrtc::rtp {

namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

VideoCodec KeyframeDetector::CodecFromName(std::string_view encodingName) {
  if (EqualsIgnoreCase(encodingName, "VP8")) return VideoCodec::kVp8;
  if (EqualsIgnoreCase(encodingName, "H264")) return VideoCodec::kH264;
  return VideoCodec::kUnknown;
}

bool KeyframeDetector::IsKeyframe(VideoCodec codec, std::span<const uint8_t> payload) {
  switch (codec) {
    case VideoCodec::kVp8:
      return Vp8PayloadDescriptor::IsKeyframe(payload);
    case VideoCodec::kH264:
      return H264Payload::IsKeyframe(payload);
    case VideoCodec::kUnknown:
      break;
  }
  return false;
}

std::optional<KeyframeDetector::Size> KeyframeDetector::KeyframeSize(VideoCodec codec,
                                                                     std::span<const uint8_t> payload) {
  if (codec != VideoCodec::kVp8 || !Vp8PayloadDescriptor::IsKeyframe(payload)) return std::nullopt;
  const auto d = Vp8PayloadDescriptor::Parse(payload);
  // frame tag (3) + start code (3) + width (2, little endian) + height (2): 14 bits each, 2 bits scale.
  constexpr size_t kSizeOffset = 6;
  if (!d || payload.size() < d->size + kSizeOffset + 4) return std::nullopt;
  const uint8_t* p = payload.data() + d->size + kSizeOffset;
  Size size;
  size.width = static_cast<uint16_t>((p[0] | (p[1] << 8)) & 0x3FFF);
  size.height = static_cast<uint16_t>((p[2] | (p[3] << 8)) & 0x3FFF);
  if (size.width == 0 || size.height == 0) return std::nullopt;
  return size;
}

}  // namespace medicall::webrtc::rtp
