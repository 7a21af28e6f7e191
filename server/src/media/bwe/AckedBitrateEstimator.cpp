#include "media/bwe/AckedBitrateEstimator.hpp"

#include <algorithm>

namespace medicall::media::bwe {

void AckedBitrateEstimator::OnPacket(int64_t arrivalUs, size_t size) {
  if (firstUs_ < 0) firstUs_ = arrivalUs;
  latestUs_ = std::max(latestUs_, arrivalUs);
  if (count_ == kCapacity) {  // full: the oldest goes
    bytes_ -= entries_[head_].size;
    head_ = (head_ + 1) % kCapacity;
    --count_;
  }
  entries_[(head_ + count_) % kCapacity] = Entry{arrivalUs, static_cast<uint32_t>(size)};
  ++count_;
  bytes_ += size;
  while (count_ > 0 && entries_[head_].arrivalUs <= latestUs_ - kWindowUs) {
    bytes_ -= entries_[head_].size;
    head_ = (head_ + 1) % kCapacity;
    --count_;
  }
}

std::optional<uint64_t> AckedBitrateEstimator::RateBps() const {
  if (count_ == 0 || latestUs_ - firstUs_ < kMinSpanUs) return std::nullopt;
  const int64_t span = std::min(kWindowUs, latestUs_ - firstUs_);
  return bytes_ * 8 * 1'000'000 / static_cast<uint64_t>(span);
}

}  // namespace medicall::media::bwe
