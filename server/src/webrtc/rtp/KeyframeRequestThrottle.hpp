#pragma once
// Rate limit for key frame requests (PLI, RFC 4585 section 6.3.1; FIR, RFC 5104 section 4.3.1) sent to
// one publisher stream on behalf of many subscribers. Every request is remembered until a key frame
// arrives, so a new subscriber always gets one; requests are sent at most once per interval, and an
// unanswered request is repeated after the interval (Poll).
#include <cstdint>
#include <optional>

namespace medicall::webrtc::rtp {

class KeyframeRequestThrottle {
 public:
  explicit KeyframeRequestThrottle(int64_t minIntervalMs = 300) : minIntervalMs_(minIntervalMs) {}

  // Someone needs a key frame. True when a request should go out now.
  bool Request(int64_t nowMs);
  // Call from a timer: true when a request is still unanswered and the interval has passed.
  bool Poll(int64_t nowMs);
  // A key frame arrived from the publisher.
  void OnKeyframe() { pending_ = false; }
  bool Pending() const { return pending_; }
  // Sequence number for the FIR entry of the request just allowed (RFC 5104: incremented per request).
  uint8_t FirSequence() const { return firSeq_; }

 private:
  bool Send(int64_t nowMs);

  int64_t minIntervalMs_;
  std::optional<int64_t> lastSentMs_;
  bool pending_ = false;
  uint8_t firSeq_ = 0;
};

}  // namespace medicall::webrtc::rtp
