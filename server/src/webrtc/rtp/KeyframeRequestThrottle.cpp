#include "webrtc/rtp/KeyframeRequestThrottle.hpp"

namespace medicall::webrtc::rtp {

bool KeyframeRequestThrottle::Send(int64_t nowMs) {
  if (lastSentMs_ && nowMs - *lastSentMs_ < minIntervalMs_) return false;
  lastSentMs_ = nowMs;
  ++firSeq_;
  return true;
}

bool KeyframeRequestThrottle::Request(int64_t nowMs) {
  pending_ = true;
  return Send(nowMs);
}

bool KeyframeRequestThrottle::Poll(int64_t nowMs) { return pending_ && Send(nowMs); }

}  // namespace medicall::webrtc::rtp
