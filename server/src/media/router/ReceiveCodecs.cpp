#include "media/router/ReceiveCodecs.hpp"

#include "webrtc/sdp/AnswerBuilder.hpp"

namespace medicall::media::router {

namespace sdp = webrtc::sdp;
using webrtc::rtp::VideoCodec;

ReceiveCodecs ReceiveCodecs::FromOffer(const sdp::SessionDescription& offer) {
  bool anyVideo = false;
  bool h264 = true;
  for (const sdp::MediaSection& m : offer.media) {
    if (m.kind != sdp::MediaKind::Video || m.Rejected()) continue;
    anyVideo = true;
    h264 = h264 && sdp::AnswerBuilder::FindH264ConstrainedBaseline(m) != nullptr;
  }
  return ReceiveCodecs(static_cast<uint8_t>(kVp8Bit | (anyVideo && h264 ? kH264Bit : 0)));
}

bool ReceiveCodecs::Decodes(VideoCodec codec) const {
  switch (codec) {
    case VideoCodec::kVp8:
      return (mask_ & kVp8Bit) != 0;
    case VideoCodec::kH264:
      return (mask_ & kH264Bit) != 0;
    case VideoCodec::kUnknown:
      break;
  }
  return false;
}

std::vector<VideoCodec> ReceiveCodecs::List() const {
  std::vector<VideoCodec> list;
  if (Decodes(VideoCodec::kVp8)) list.push_back(VideoCodec::kVp8);
  if (Decodes(VideoCodec::kH264)) list.push_back(VideoCodec::kH264);
  return list;
}

}  // namespace medicall::media::router
