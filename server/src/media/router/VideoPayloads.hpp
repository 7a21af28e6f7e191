#pragma once
// The video codecs one m-section negotiated, in the answer's order: for each its payload type, its RTX
// payload type (RFC 4588 apt=, -1: none) and the codec the key-frame detector reads it as. A camera
// whose answer holds VP8 and H.264 may send either (the Chime SDK picks by the answer's order and its
// preferences) and switch between them without an SSRC change; a subscriber's section is sent each
// codec on its own payload type. At most kMax entries, no allocation.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "webrtc/rtp/KeyframeDetector.hpp"

namespace medicall::media::router {

struct VideoPayload {
  webrtc::rtp::VideoCodec codec = webrtc::rtp::VideoCodec::kUnknown;
  uint8_t payloadType = 0;
  int rtxPayloadType = -1;
  bool operator==(const VideoPayload&) const = default;
};

class VideoPayloads {
 public:
  static constexpr size_t kMax = 4;

  // Ignored when full or when the payload type is already listed.
  void Add(const VideoPayload& p) {
    if (count_ == kMax || ByPayloadType(p.payloadType) != nullptr) return;
    entries_[count_++] = p;
  }
  bool Empty() const { return count_ == 0; }
  std::span<const VideoPayload> All() const { return std::span(entries_).first(count_); }
  // The answer's first codec (what a sender uses without other preferences), or nullptr.
  const VideoPayload* Primary() const { return count_ == 0 ? nullptr : &entries_[0]; }
  const VideoPayload* ByPayloadType(uint8_t pt) const {
    for (const VideoPayload& p : All()) {
      if (p.payloadType == pt) return &p;
    }
    return nullptr;
  }
  const VideoPayload* ByRtxPayloadType(uint8_t pt) const {
    for (const VideoPayload& p : All()) {
      if (p.rtxPayloadType == static_cast<int>(pt)) return &p;
    }
    return nullptr;
  }
  const VideoPayload* ByCodec(webrtc::rtp::VideoCodec codec) const {
    for (const VideoPayload& p : All()) {
      if (p.codec == codec) return &p;
    }
    return nullptr;
  }
  bool operator==(const VideoPayloads& o) const {
    if (count_ != o.count_) return false;
    for (size_t i = 0; i < count_; ++i) {
      if (!(entries_[i] == o.entries_[i])) return false;
    }
    return true;
  }

 private:
  std::array<VideoPayload, kMax> entries_{};
  size_t count_ = 0;
};

}  // namespace medicall::media::router
