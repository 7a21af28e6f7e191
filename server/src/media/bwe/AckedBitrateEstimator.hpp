#pragma once
// The incoming rate R(i) of draft-ietf-rmcat-gcc-02 section 5.5, measured at the receiver: the bytes of
// the packets reported received whose arrival lies in the last kWindowUs, over that window. Feeds the
// rate controller (a decrease goes to beta * R, an increase stays under 1.5 * R). Fixed memory.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace medicall::media::bwe {

class AckedBitrateEstimator {
 public:
  static constexpr int64_t kWindowUs = 500'000;
  static constexpr size_t kCapacity = 2048;  // packets within a window (2048 * 1200 B / 0.5 s = 39 Mbit/s)

  void OnPacket(int64_t arrivalUs, size_t size);
  // The rate, once the packets seen span at least kMinSpanUs.
  std::optional<uint64_t> RateBps() const;

 private:
  static constexpr int64_t kMinSpanUs = 150'000;
  struct Entry {
    int64_t arrivalUs = 0;
    uint32_t size = 0;
  };
  std::array<Entry, kCapacity> entries_{};
  size_t head_ = 0;  // oldest
  size_t count_ = 0;
  uint64_t bytes_ = 0;
  int64_t latestUs_ = 0;
  int64_t firstUs_ = -1;
};

}  // namespace medicall::media::bwe
