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
  // The packet after the one on probation confirms the jump even when it falls inside the late window
  // (a jump to just beyond maxMisorder behind: its successor is maxMisorder behind), or a sender that
  // went back by maxMisorder + 1 would be taken as late until its numbers passed the highest again.
  if (probation_ && seq == *probation_) {
    highest_ = seq;
    probation_.reset();
    return Result::kResynced;
  }
  if (ahead >= 65536 - maxMisorder_) return Result::kLate;
  probation_ = static_cast<uint16_t>(seq + 1);
  return Result::kProbation;
}

}  // namespace medicall::webrtc::rtp
