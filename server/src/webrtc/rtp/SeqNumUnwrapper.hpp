#pragma once
// Extends 16-bit sequence numbers to 64 bits (RFC 3550 section A.1 keeps a "cycles" count; this does the
// same relative to the last value seen, so late and reordered packets map to the right cycle).
#include <cstdint>
#include <optional>

#include "webrtc/rtp/SeqNum.hpp"

namespace medicall::webrtc::rtp {

class SeqNumUnwrapper {
 public:
  // Returns the extended sequence number. The first value maps to itself (plus 2^16 so that packets
  // reordered before the first one stay non-negative). Never goes below zero.
  int64_t Unwrap(uint16_t seq) {
    if (!last_) {
      last_ = static_cast<int64_t>(seq) + kCycle;
      return *last_;
    }
    int64_t extended = *last_ + SeqNum::Diff(seq, static_cast<uint16_t>(*last_));
    if (extended < 0) extended += kCycle;
    if (extended > *last_) last_ = extended;
    return extended;
  }
  // Like Unwrap but without updating the state.
  int64_t PeekUnwrap(uint16_t seq) const {
    if (!last_) return static_cast<int64_t>(seq) + kCycle;
    int64_t extended = *last_ + SeqNum::Diff(seq, static_cast<uint16_t>(*last_));
    return extended < 0 ? extended + kCycle : extended;
  }
  void Reset() { last_.reset(); }

 private:
  static constexpr int64_t kCycle = 1 << 16;
  std::optional<int64_t> last_;
};

}  // namespace medicall::webrtc::rtp
