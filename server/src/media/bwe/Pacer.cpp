#include "media/bwe/Pacer.hpp"

#include <algorithm>

namespace medicall::media::bwe {

size_t Pacer::QueuedTotal() const {
  size_t n = 0;
  for (const Queue& q : queues_) n += q.count;
  return n;
}

int64_t Pacer::OldestWaitUs(int64_t nowUs) const {
  int64_t oldest = 0;
  for (const Queue& q : queues_) {
    if (q.count != 0) oldest = std::max(oldest, nowUs - q.entries[q.head].enqueuedUs);
  }
  return oldest;
}

uint64_t Pacer::PacingBps() const {
  if (targetBps_ == 0) return 0;
  const auto paced = static_cast<uint64_t>(static_cast<double>(targetBps_) * kPacingFactor);
  if (queuedBytes_ == 0) return paced;
  // What drains the queue before its oldest packet waited kMaxQueueTimeUs (libwebrtc's rule).
  const int64_t left = std::max<int64_t>(kMaxQueueTimeUs - OldestWaitUs(lastUs_), 1'000);
  const uint64_t drain = queuedBytes_ * 8 * 1'000'000 / static_cast<uint64_t>(left);
  return std::max(paced, drain);
}

bool Pacer::Enqueue(Kind kind, uint32_t id, size_t size, int64_t nowUs) {
  Queue& q = queues_[static_cast<size_t>(kind)];
  if (q.count == kQueueCapacity) return false;
  Refill(nowUs);
  q.entries[(q.head + q.count) % kQueueCapacity] = Entry{kind, id, static_cast<uint32_t>(size), nowUs};
  ++q.count;
  queuedBytes_ += size;
  return true;
}

void Pacer::Refill(int64_t nowUs) {
  const auto rate = static_cast<double>(PacingBps());
  const double burst = rate * kMaxBurstUs / 1e6;
  if (lastUs_ < 0) {
    budgetBits_ = burst;  // a fresh pacer may send one burst at once
  } else if (nowUs > lastUs_) {
    budgetBits_ += rate * static_cast<double>(nowUs - lastUs_) / 1e6;
  }
  lastUs_ = std::max(lastUs_, nowUs);
  budgetBits_ = std::min(budgetBits_, burst);
  if (windowStartUs_ < 0 || nowUs - windowStartUs_ >= kPaddingWindowUs) {
    windowStartUs_ = nowUs;
    windowBytes_ = 0;
  }
}

bool Pacer::TrySend(Kind kind, size_t size, int64_t nowUs) {
  Refill(nowUs);
  if (kind != Kind::kAudio) {
    for (size_t k = static_cast<size_t>(Kind::kRtx); k <= static_cast<size_t>(kind); ++k) {
      if (queues_[k].count != 0) return false;
    }
    // Any positive budget lets one packet go (a packet larger than the burst still leaves, and the
    // debt is paid back by waiting).
    if (targetBps_ != 0 && budgetBits_ <= 0) return false;
  }
  Spend(size);
  windowBytes_ += size;
  return true;
}

Pacer::Entry Pacer::Take(Queue& q) {
  const Entry e = q.entries[q.head];
  q.head = (q.head + 1) % kQueueCapacity;
  --q.count;
  queuedBytes_ -= std::min<uint64_t>(queuedBytes_, e.size);
  Spend(e.size);
  windowBytes_ += e.size;
  return e;
}

std::optional<Pacer::Entry> Pacer::Pop(int64_t nowUs) {
  Refill(nowUs);
  for (size_t k = 0; k < queues_.size(); ++k) {
    Queue& q = queues_[k];
    if (q.count == 0) continue;
    // Audio always goes; the others need budget left.
    if (static_cast<Kind>(k) != Kind::kAudio && targetBps_ != 0 && budgetBits_ <= 0) return std::nullopt;
    return Take(q);
  }
  return std::nullopt;
}

std::optional<Pacer::Entry> Pacer::PopForProbe(int64_t nowUs) {
  Refill(nowUs);
  for (Queue& q : queues_) {
    if (q.count != 0) return Take(q);
  }
  return std::nullopt;
}

size_t Pacer::PaddingBytes(uint64_t paddingBps, int64_t nowUs) {
  Refill(nowUs);
  if (QueuedTotal() != 0 || paddingBps == 0) return 0;
  const double elapsedUs = static_cast<double>(std::max<int64_t>(nowUs - windowStartUs_, 1'000));
  const double wantBytes = static_cast<double>(paddingBps) / 8 * elapsedUs / 1e6;
  if (wantBytes <= static_cast<double>(windowBytes_)) return 0;
  // A late call does not catch up in one burst: at most two bursts' worth at the padding rate.
  const double capBytes = static_cast<double>(paddingBps) / 8 * 2 * kMaxBurstUs / 1e6;
  return static_cast<size_t>(std::min(wantBytes - static_cast<double>(windowBytes_), capBytes));
}

}  // namespace medicall::media::bwe
