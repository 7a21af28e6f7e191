#pragma once
// Splits what one subscriber can receive (its transport's send-side estimate, or its REMB when it has
// no transport-cc) across the video streams it receives, giving each the budget its layer selector
// works within. Priorities are the SDK's (REMOTE_VIDEO_UPDATE / SUBSCRIBE video_subscription_configuration:
// priority = MAX_SAFE_INTEGER - app priority, so higher is more important); equal when absent.
//   1. paused streams get nothing;
//   2. from the most important down, each stream gets its minimum (what its lowest layer needs) while
//      that fits; one that does not fit gets nothing (its selector pauses it) and less important ones
//      are still tried;
//   3. what is left fills the streams up to their maximum (top layer, or the target_bitrate the client
//      asked for), most important class first, equally within a class (water-filling);
//   4. whatever no stream can use stays unallocated.
// Pure, no allocation: the caller owns the spans.
#include <cstdint>
#include <limits>
#include <span>

namespace medicall::media::bwe {

class BitrateAllocator {
 public:
  struct Demand {
    uint64_t priority = 0;
    uint64_t minBps = 0;
    uint64_t maxBps = std::numeric_limits<uint64_t>::max();
    bool paused = false;
  };

  // out[i] receives the budget of demands[i]; out.size() must be >= demands.size(). Returns the total
  // allocated (<= totalBps).
  static uint64_t Allocate(uint64_t totalBps, std::span<const Demand> demands, std::span<uint64_t> out);
};

}  // namespace medicall::media::bwe
