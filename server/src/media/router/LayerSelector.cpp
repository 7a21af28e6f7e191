#include "media/router/LayerSelector.hpp"

#include <algorithm>

namespace medicall::media::router {

int LayerSelector::Select(std::span<const LayerInfo> layers, int requested, uint64_t availableBps,
                          int64_t nowMs) {
  const int count = static_cast<int>(layers.size());
  if (count == 0) return target_ = 0;
  requested = std::clamp(requested, 0, count - 1);
  int64_t newestMs = 0;
  for (const LayerInfo& l : layers) {
    if (l.live) newestMs = std::max(newestMs, l.lastPacketMs);
  }
  const auto sending = [&](int i) {
    const LayerInfo& l = layers[static_cast<size_t>(i)];
    return l.live && (l.lastPacketMs == 0 || newestMs - l.lastPacketMs <= kStalledMs);
  };
  // The asked-for layer, or the nearest sending one below it, or above it.
  int choice = -1;
  for (int i = requested; i >= 0 && choice < 0; --i) {
    if (sending(i)) choice = i;
  }
  for (int i = requested + 1; i < count && choice < 0; ++i) {
    if (sending(i)) choice = i;
  }
  if (choice < 0) choice = requested;
  // Lower while it does not fit.
  int fitting = choice;
  if (availableBps > 0) {
    while (fitting > 0 && layers[static_cast<size_t>(fitting)].bitrateBps > availableBps) {
      int lower = fitting - 1;
      while (lower >= 0 && !sending(lower)) --lower;
      if (lower < 0) break;
      fitting = lower;
    }
  }
  if (heldLayer_ >= 0 && nowMs >= heldUntilMs_) {
    if (!layerProbes_ && fitting < choice) {
      // Without trials the hold goes on while the layer still does not fit: no new downgrade (its hold
      // does not double), and the layer goes up at most kHoldMs after it fits.
      heldLayer_ = fitting;
      heldUntilMs_ = nowMs + kHoldMs;
    } else {
      heldLayer_ = -1;  // the hold is over: probe the asked-for layer again (or let the bandwidth decide)
      if (layerProbes_) probeUntilMs_ = nowMs + kProbeMs;
    }
  }
  const bool probing = nowMs < probeUntilMs_;
  if (!probing && fitting < choice) {
    if (heldLayer_ < 0) {
      // A downgrade for bandwidth: hold it, twice as long as last time when that was recent.
      holdMs_ = lastDowngradeMs_ != 0 && nowMs - lastDowngradeMs_ <= kCalmMs
                    ? std::min(holdMs_ * 2, kMaxHoldMs)
                    : kHoldMs;
      heldUntilMs_ = nowMs + holdMs_;
      lastDowngradeMs_ = nowMs;
      heldLayer_ = fitting;
    } else if (fitting < heldLayer_) {
      heldLayer_ = fitting;  // further down within the same hold
    }
  }
  if (heldLayer_ >= 0) choice = std::min(choice, heldLayer_);
  if (choice != target_) ++switches_;
  target_ = choice;
  return target_;
}

}  // namespace medicall::media::router
