#include "media/bwe/BitrateProber.hpp"

#include <algorithm>

namespace medicall::media::bwe {

int BitrateProber::CreateCluster(uint64_t bps, int64_t nowUs) {
  if (bps == 0 || count_ == kMaxClusters) return kNoCluster;
  Cluster& c = clusters_[(head_ + count_) % kMaxClusters];
  c = Cluster{};
  c.id = nextId_;
  nextId_ = nextId_ == INT32_MAX ? 1 : nextId_ + 1;
  c.bps = bps;
  c.minBytes = static_cast<size_t>(bps * static_cast<uint64_t>(kMinProbeDurationUs) / 8'000'000);
  c.createdUs = nowUs;
  ++count_;
  ++created_;
  return c.id;
}

void BitrateProber::PopFront() {
  head_ = (head_ + 1) % kMaxClusters;
  --count_;
}

bool BitrateProber::Active(int64_t nowUs) {
  while (count_ != 0) {
    const Cluster& c = clusters_[head_];
    if (c.startUs >= 0 || nowUs - c.createdUs < kClusterTimeoutUs) return true;
    PopFront();  // never started in time: the path state it was meant for is gone
  }
  return false;
}

size_t BitrateProber::BytesDue(int64_t nowUs) {
  if (!Active(nowUs)) return 0;
  Cluster& c = clusters_[head_];
  if (c.startUs < 0) c.startUs = nowUs;
  const int64_t elapsed = std::max<int64_t>(nowUs - c.startUs, 0) + kSliceUs;
  const auto scheduled = static_cast<size_t>(c.bps * static_cast<uint64_t>(elapsed) / 8'000'000);
  return scheduled > c.sentBytes ? scheduled - c.sentBytes : 0;
}

void BitrateProber::OnProbeSent(size_t bytes, int64_t nowUs) {
  if (count_ == 0) return;
  Cluster& c = clusters_[head_];
  if (c.startUs < 0) c.startUs = nowUs;
  c.sentBytes += bytes;
  ++c.sentPackets;
  if (c.sentBytes >= c.minBytes && c.sentPackets >= c.minPackets) {
    lastDone_ = c;
    ++done_;
    PopFront();
  }
}

}  // namespace medicall::media::bwe
