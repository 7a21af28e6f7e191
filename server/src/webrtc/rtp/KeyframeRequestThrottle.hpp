#pragma once
// Rate limit for key frame requests (PLI, RFC 4585 section 6.3.1; FIR, RFC 5104 section 4.3.1) sent to
// one publisher stream on behalf of many subscribers: at most one request per interval (one second for
// the router). A request that comes within the interval is not forwarded; it is remembered (Pending)
// and answered by the next key frame, which every subscriber of the stream receives. If no key frame
// has come when the interval is over, one request goes out again (a lost PLI must not freeze the
// subscribers that wait for a key frame).
//
// The caller sends: Request() and Due() say whether a request should go out now, Sent() records that
// one did (a request that could not be sent, e.g. before the publisher connected, does not count).
#include <cstdint>
#include <optional>

namespace medicall::webrtc::rtp {

class KeyframeRequestThrottle {
 public:
  explicit KeyframeRequestThrottle(int64_t minIntervalMs = 1000) : minIntervalMs_(minIntervalMs) {}

  // Someone needs a key frame. True when a request should go out now (then call Sent()).
  bool Request(int64_t nowMs) {
    pending_ = true;
    return Due(nowMs);
  }
  // True when a request is pending and none went out within the interval.
  bool Due(int64_t nowMs) const {
    return pending_ && (!lastSentMs_ || nowMs - *lastSentMs_ >= minIntervalMs_);
  }
  // A request went out at nowMs.
  void Sent(int64_t nowMs) {
    lastSentMs_ = nowMs;
    ++firSeq_;
  }
  // A key frame arrived from the publisher: every pending request is answered.
  void OnKeyframe() { pending_ = false; }
  bool Pending() const { return pending_; }
  // Sequence number for the FIR entry of the last request sent (RFC 5104: incremented per request).
  uint8_t FirSequence() const { return firSeq_; }

 private:
  int64_t minIntervalMs_;
  std::optional<int64_t> lastSentMs_;
  bool pending_ = false;
  uint8_t firSeq_ = 0;
};

}  // namespace medicall::webrtc::rtp
