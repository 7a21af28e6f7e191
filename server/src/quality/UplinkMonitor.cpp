#include "quality/UplinkMonitor.hpp"

#include <algorithm>
#include <cmath>

namespace medicall::quality {

void UplinkMonitor::OnPacket(uint16_t sequenceNumber, uint32_t rtpTimestamp, size_t bytes, int64_t nowUs) {
  const int64_t second = nowUs / 1'000'000;
  int64_t advanced = 1;  // the first packet
  bool inOrder = true;
  if (!started_) {
    started_ = true;
    highestExt_ = sequenceNumber;
    firstSecond_ = second;
  } else {
    // Nearest to the highest so far (wraps both ways, RFC 3550 A.1).
    const auto delta =
        static_cast<int16_t>(static_cast<uint16_t>(sequenceNumber - static_cast<uint16_t>(highestExt_)));
    inOrder = delta > 0;
    advanced = inOrder ? delta : 0;
    if (inOrder) highestExt_ += delta;
    if (delta == 0) return;  // a duplicate
  }
  // Jitter from packets in order only (a late one's transit says little about the path now).
  const double arrival = static_cast<double>(nowUs) * options_.clockRate / 1e6;
  const double transit = arrival - static_cast<double>(rtpTimestamp);
  if (inOrder && lastPacketUs_ != 0) {
    double d = transit - lastTransit_;
    // A transit jump of more than 10 s is a new RTP timestamp base, not jitter.
    if (std::abs(d) < 10.0 * options_.clockRate) jitter_ += (std::abs(d) - jitter_) / 16.0;
  }
  if (inOrder) lastTransit_ = transit;
  lastPacketUs_ = nowUs;

  Bucket& b = buckets_[static_cast<size_t>(second) % buckets_.size()];
  if (b.second != second) b = Bucket{.second = second};
  ++b.received;
  b.bytes += bytes;
  b.advanced += static_cast<uint64_t>(advanced);
  if (advanced > 1) b.missed += static_cast<uint64_t>(advanced - 1);
  if (!inOrder) ++b.recovered;
  b.jitterMs = jitter_ * 1000.0 / options_.clockRate;
}

UplinkView UplinkMonitor::View(int64_t nowUs, int windowSeconds) const {
  UplinkView view;
  if (!started_) return view;
  view.lastPacketAgeUs = nowUs - lastPacketUs_;
  windowSeconds = std::clamp(windowSeconds, 1, kMaxWindowSeconds);
  const int64_t nowSecond = nowUs / 1'000'000;
  const int64_t from = std::max(nowSecond - windowSeconds, firstSecond_);
  if (from >= nowSecond) return view;  // not one full second yet
  view.seconds = static_cast<int>(nowSecond - from);
  uint64_t bytes = 0;
  int64_t lastSecondSeen = -1;
  for (const Bucket& b : buckets_) {
    if (b.second < from || b.second >= nowSecond) continue;
    view.received += b.received;
    bytes += b.bytes;
    view.expected += b.advanced;
    view.missed += b.missed;
    view.recovered += b.recovered;
    if (b.second > lastSecondSeen) {
      lastSecondSeen = b.second;
      view.jitterMs = b.jitterMs;
    }
  }
  view.hasData = true;
  view.packetsPerSecond = static_cast<double>(view.received) / view.seconds;
  view.bitrateBps = static_cast<double>(bytes) * 8.0 / view.seconds;
  if (view.expected > 0)
    view.lossRatio = static_cast<double>(view.missed) / static_cast<double>(view.expected);
  return view;
}

uint32_t UplinkMonitor::SignalStrength(int64_t nowUs) const {
  return SignalStrengthOf(View(nowUs, 3), options_);
}

uint32_t UplinkMonitor::SignalStrengthOf(const UplinkView& view, const Options& options) {
  if (view.lastPacketAgeUs < 0 || view.lastPacketAgeUs > options.silentAfterUs) return 0;
  if (!view.hasData) return 2;  // just started: packets are arriving
  const double share = view.packetsPerSecond / options.expectedPacketsPerSecond;
  if (view.lossRatio > options.noneLoss || share < options.noneRateShare) return 0;
  if (view.lossRatio > options.weakLoss || share < options.weakRateShare ||
      view.jitterMs > options.weakJitterMs)
    return 1;
  return 2;
}

}  // namespace medicall::quality
