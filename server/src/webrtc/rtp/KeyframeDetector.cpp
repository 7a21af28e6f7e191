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

}  // namespace medicall::webrtc::rtp
