#pragma once
// The video codecs an attendee decodes, read from its SUBSCRIBE offer, and their intersection over the
// meeting: INDEX supported_receive_codec_intersection (chime-protocol-2.md section 6.5). The Chime SDK
// intersects that list with its send preferences (ReceiveVideoStreamIndexTask
// .handleSupportedVideoReceiveCodecIntersection) and renegotiates when the codec it sends is no longer
// in it, or when a preferred one is back (the attendee who could not decode it left).
//
// Only codecs the SFU forwards count: VP8 (always: every engine decodes it, it is the meeting default
// when in doubt) and H.264 constrained baseline 42e01f, packetization-mode=1. An attendee decodes H.264
// when every live video section of its offer lists it (a sendrecv section lists what the browser both
// sends and receives, a recvonly one what it decodes); an offer without a video section says nothing,
// so VP8 only.
#include <cstdint>
#include <vector>

#include "webrtc/rtp/KeyframeDetector.hpp"
#include "webrtc/sdp/SessionDescription.hpp"

namespace medicall::media::router {

class ReceiveCodecs {
 public:
  // VP8 and H.264: what the SFU can forward (the start of an intersection).
  static ReceiveCodecs All() { return ReceiveCodecs(kVp8Bit | kH264Bit); }
  static ReceiveCodecs Vp8Only() { return ReceiveCodecs(kVp8Bit); }
  static ReceiveCodecs FromOffer(const webrtc::sdp::SessionDescription& offer);

  bool Decodes(webrtc::rtp::VideoCodec codec) const;
  // Keeps what both decode (VP8 stays).
  void IntersectWith(const ReceiveCodecs& other) {
    mask_ = static_cast<uint8_t>((mask_ & other.mask_) | kVp8Bit);
  }
  // VP8 first, then H.264 when decoded.
  std::vector<webrtc::rtp::VideoCodec> List() const;
  bool operator==(const ReceiveCodecs&) const = default;

 private:
  static constexpr uint8_t kVp8Bit = 1;
  static constexpr uint8_t kH264Bit = 2;
  explicit ReceiveCodecs(uint8_t mask) : mask_(mask) {}
  uint8_t mask_;
};

}  // namespace medicall::media::router
