#pragma once
// What every part of one meeting's router shares on the media worker: the clock it decides by, the
// meeting's forwarding counters and the scratch buffers of the packet path (one packet in flight at a
// time on the worker, so one set serves every stream). Owned by MeetingRouter, handed to its peers and
// streams by reference.
#include <array>
#include <cstdint>
#include <span>

#include "common/Clock.hpp"
#include "media/router/Router.hpp"
#include "webrtc/srtp/SrtpProfile.hpp"

namespace medicall::media::router {

struct RouterContext {
  static constexpr size_t kBufferSize = 1500 + webrtc::srtp::kSrtpMaxTrailerLength;

  explicit RouterContext(const Clock& c) : clock(c) {}

  // The RTCP scratch without the room the SRTCP trailer needs.
  std::span<uint8_t> RtcpOut() {
    return std::span(rtcpBuffer).first(rtcpBuffer.size() - webrtc::srtp::kSrtpMaxTrailerLength);
  }

  const Clock& clock;
  Router::Stats stats;
  std::array<uint8_t, kBufferSize> sendBuffer{};
  std::array<uint8_t, kBufferSize> rtxBuffer{};
  std::array<uint8_t, kBufferSize> rtcpBuffer{};
};

}  // namespace medicall::media::router
