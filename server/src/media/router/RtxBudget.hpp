#pragma once
// The byte budget one subscriber has for retransmissions (RTX, RFC 4588, or plain resends): a token
// bucket that fills at `bytesPerSecond` up to `burstBytes`. A retransmission that does not fit is not
// sent, so no NACK pattern can make the router send more than the budget on the subscriber's link.
#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace medicall::media::router {

class RtxBudget {
 public:
  static constexpr uint64_t kDefaultBytesPerSecond = 250'000;  // 2 Mbit/s
  static constexpr uint64_t kDefaultBurstBytes = 64 * 1024;    // about 50 full packets at once

  explicit RtxBudget(uint64_t bytesPerSecond = kDefaultBytesPerSecond,
                     uint64_t burstBytes = kDefaultBurstBytes)
      : bytesPerSecond_(bytesPerSecond), burstBytes_(burstBytes), tokens_(burstBytes) {}

  // Takes `bytes` from the bucket at nowUs (monotonic); false (and nothing taken) when they do not fit.
  bool TryConsume(size_t bytes, int64_t nowUs) {
    Refill(nowUs);
    if (bytes > tokens_) return false;
    tokens_ -= bytes;
    return true;
  }
  uint64_t Available(int64_t nowUs) {
    Refill(nowUs);
    return tokens_;
  }

 private:
  void Refill(int64_t nowUs) {
    if (lastUs_ < 0 || nowUs <= lastUs_) {
      if (lastUs_ < 0) lastUs_ = nowUs;
      return;
    }
    const auto elapsedUs = static_cast<uint64_t>(nowUs - lastUs_);
    // Whole bytes only; the remainder of the microseconds carries over to the next refill.
    const uint64_t add = elapsedUs * bytesPerSecond_ / 1'000'000;
    if (add == 0) return;
    tokens_ = std::min(burstBytes_, tokens_ + add);
    lastUs_ += static_cast<int64_t>(add * 1'000'000 / bytesPerSecond_);
    if (tokens_ == burstBytes_) lastUs_ = nowUs;
  }

  uint64_t bytesPerSecond_;
  uint64_t burstBytes_;
  uint64_t tokens_;
  int64_t lastUs_ = -1;
};

}  // namespace medicall::media::router
