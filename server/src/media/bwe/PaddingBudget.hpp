#pragma once
// How much padding a transport sends at each tick so that, with the media it sent, it reaches a target
// rate: the way a send-side estimate climbs while the media toward a subscriber is below it. GCC's rate
// controller never raises its estimate far above what is acknowledged (draft-ietf-rmcat-gcc-02 section
// 5.5), so a subscriber held on a low simulcast layer would never earn the estimate for a higher one;
// padding (RFC 4588 RTX packets that carry only padding, sent after the media of the tick) fills the
// gap up to the current estimate, and the estimate goes up as far as the path carries it, without
// risking a frame of real video on a path that cannot carry it.
//
// The caller counts the media (and retransmissions) it sends with OnSent; Take() at each tick returns
// the padding bytes owed since the last tick and starts a new one. Padding itself is not counted.
// Pure: the caller passes the time.
#include <cstddef>
#include <cstdint>

namespace medicall::media::bwe {

class PaddingBudget {
 public:
  static constexpr int64_t kMaxIntervalUs = 200'000;  // a late tick owes at most this much
  static constexpr size_t kMaxBytesPerTick = 16 * 255;

  void OnSent(size_t bytes) { sentBytes_ += bytes; }
  // The padding to send now to reach targetBps over the interval since the last call (0: no target,
  // or the media already reached it).
  size_t Take(uint64_t targetBps, int64_t nowUs);

 private:
  int64_t lastUs_ = 0;
  uint64_t sentBytes_ = 0;
};

}  // namespace medicall::media::bwe
