#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace medicall::media::audio {

struct TalkerCandidate {
  uint32_t id = 0;
  float levelDbov = -127.0f;
  bool talking = false;  // eligible: not muted, not silent, above the talker threshold (with hangover)
};

// Chooses the loudest K talkers of a tick. Results are slots: a talker keeps its slot (and so its
// encoder, and its listeners' codec state) for as long as it stays selected; a newcomer takes a free
// slot. A talker already selected is ranked with a small bonus so that two voices of equal level do
// not swap places every frame.
class TalkerSelector {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  explicit TalkerSelector(std::size_t maxTalkers, float holdBonusDb = 3.0f);

  // Returns maxTalkers slots holding a candidate id or kNone. Valid until the next call.
  std::span<const uint32_t> Select(std::span<const TalkerCandidate> candidates);
  std::span<const uint32_t> Slots() const { return slots_; }
  std::size_t SelectedCount() const;
  // Slot index of `id`, or -1.
  int SlotOf(uint32_t id) const;

 private:
  float holdBonusDb_;
  std::vector<uint32_t> slots_;
  std::vector<TalkerCandidate> scratch_;
  std::vector<uint32_t> chosen_;
};

}  // namespace medicall::media::audio
