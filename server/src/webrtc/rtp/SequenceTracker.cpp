#include "webrtc/rtp/SequenceTracker.hpp"

namespace medicall::webrtc::rtp {

SequenceTracker::Result SequenceTracker::Update(uint16_t seq) {
  gap_ = 0;
  if (!highest_) {
    highest_ = seq;
    probation_.reset();
    return Result::kFirst;
  }
  const auto ahead = static_cast<uint16_t>(seq - *highest_);  // forward distance, mod 2^16
  if (ahead == 0) return Result::kDuplicate;
  if (ahead < maxDropout_) {
    gap_ = ahead - 1;
    highest_ = seq;
    probation_.reset();
    return Result::kNewer;
  }
  if (ahead >= 65536 - maxMisorder_) return Result::kLate;
  if (probation_ && seq == *probation_) {
    highest_ = seq;
    probation_.reset();
    return Result::kResynced;
  }
  probation_ = static_cast<uint16_t>(seq + 1);
  return Result::kProbation;
}

}  // namespace medicall::webrtc::rtp
