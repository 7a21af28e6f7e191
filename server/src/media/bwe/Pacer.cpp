#include "media/bwe/Pacer.hpp"

#include <algorithm>

namespace medicall::media::bwe {

size_t Pacer::QueuedTotal() const {
  size_t n = 0;
  for (const Queue& q : queues_) n += q.count;
  return n;
}

bool Pacer::Enqueue(Kind kind, uint32_t id, size_t size, int64_t nowUs) {
  Queue& q = queues_[static_cast<size_t>(kind)];
  if (q.count == kQueueCapacity) return false;
  q.entries[(q.head + q.count) % kQueueCapacity] = Entry{kind, id, static_cast<uint32_t>(size), nowUs};
  ++q.count;
  return true;
}

void Pacer::Refill(int64_t nowUs) {
  const double rate = static_cast<double>(targetBps_) * kPacingFactor;
  if (lastUs_ >= 0 && nowUs > lastUs_) budgetBits_ += rate * static_cast<double>(nowUs - lastUs_) / 1e6;
  lastUs_ = std::max(lastUs_, nowUs);
  budgetBits_ = std::min(budgetBits_, rate * kMaxBurstUs / 1e6);
  if (windowStartUs_ < 0 || nowUs - windowStartUs_ >= kPaddingWindowUs) {
    windowStartUs_ = nowUs;
    windowBytes_ = 0;
  }
}

std::optional<Pacer::Entry> Pacer::Pop(int64_t nowUs) {
  Refill(nowUs);
  for (size_t k = 0; k < queues_.size(); ++k) {
    Queue& q = queues_[k];
    if (q.count == 0) continue;
    // Audio always goes; the others need budget left (any positive budget lets one packet go, so a
    // packet larger than the burst still leaves, and the debt is paid back by waiting).
    if (static_cast<Kind>(k) != Kind::kAudio && budgetBits_ <= 0) return std::nullopt;
    const Entry e = q.entries[q.head];
    q.head = (q.head + 1) % kQueueCapacity;
    --q.count;
    Spend(e.size);
    windowBytes_ += e.size;
    return e;
  }
  return std::nullopt;
}

size_t Pacer::PaddingBytes(uint64_t probeBps, int64_t nowUs) {
  Refill(nowUs);
  if (QueuedTotal() != 0 || budgetBits_ <= 0 || probeBps == 0) return 0;
  const double elapsedUs = static_cast<double>(std::max<int64_t>(nowUs - windowStartUs_, 1'000));
  const double wantBytes = static_cast<double>(probeBps) / 8 * elapsedUs / 1e6;
  if (wantBytes <= static_cast<double>(windowBytes_)) return 0;
  const double budgetBytes = budgetBits_ / 8;
  return static_cast<size_t>(std::min(wantBytes - static_cast<double>(windowBytes_), budgetBytes));
}

}  // namespace medicall::media::bwe
