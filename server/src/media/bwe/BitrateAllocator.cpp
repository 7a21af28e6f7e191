#include "media/bwe/BitrateAllocator.hpp"

#include <algorithm>

namespace medicall::media::bwe {

namespace {

using Demand = BitrateAllocator::Demand;

// The highest priority among unpaused demands that is below `below` (any, when `first`); false when
// none is left.
bool NextPriority(std::span<const Demand> demands, bool first, uint64_t below, uint64_t& next) {
  bool found = false;
  for (const Demand& d : demands) {
    if (d.paused || (!first && d.priority >= below)) continue;
    if (!found || d.priority > next) {
      next = d.priority;
      found = true;
    }
  }
  return found;
}

}  // namespace

uint64_t BitrateAllocator::Allocate(uint64_t totalBps, std::span<const Demand> demands,
                                    std::span<uint64_t> out) {
  const size_t n = std::min(demands.size(), out.size());
  demands = demands.first(n);
  std::fill(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n), 0);
  uint64_t remaining = totalBps;

  // 2. Minimums, most important first.
  uint64_t priority = 0;
  for (bool first = true; NextPriority(demands, first, priority, priority); first = false) {
    for (size_t i = 0; i < n; ++i) {
      const Demand& d = demands[i];
      if (d.paused || d.priority != priority || d.minBps == 0) continue;
      const uint64_t need = std::min(d.minBps, d.maxBps);
      if (need <= remaining) {
        out[i] = need;
        remaining -= need;
      }
    }
  }
  // A stream takes part in the filling once its minimum is met.
  auto hungry = [&](size_t i, uint64_t p) {
    const Demand& d = demands[i];
    return !d.paused && d.priority == p && (d.minBps == 0 || out[i] > 0) && out[i] < d.maxBps;
  };
  // 3. Water-filling, class by class: equal steps, each as large as the smallest room left, until the
  // class is full or the rest no longer divides.
  for (bool first = true; remaining > 0 && NextPriority(demands, first, priority, priority); first = false) {
    for (;;) {
      uint64_t count = 0;
      uint64_t smallestRoom = std::numeric_limits<uint64_t>::max();
      for (size_t i = 0; i < n; ++i) {
        if (!hungry(i, priority)) continue;
        ++count;
        smallestRoom = std::min(smallestRoom, demands[i].maxBps - out[i]);
      }
      if (count == 0 || remaining / count == 0) break;
      const uint64_t step = std::min(remaining / count, smallestRoom);
      for (size_t i = 0; i < n; ++i) {
        if (hungry(i, priority)) out[i] += step;
      }
      remaining -= step * count;
    }
  }
  return totalBps - remaining;
}

}  // namespace medicall::media::bwe
