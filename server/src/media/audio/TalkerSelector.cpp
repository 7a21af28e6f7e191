#include "media/audio/TalkerSelector.hpp"

#include <algorithm>

namespace medicall::media::audio {

TalkerSelector::TalkerSelector(std::size_t maxTalkers, float holdBonusDb)
    : holdBonusDb_(holdBonusDb), slots_(maxTalkers, kNone) {
  chosen_.reserve(maxTalkers);
}

int TalkerSelector::SlotOf(uint32_t id) const {
  for (std::size_t s = 0; s < slots_.size(); ++s) {
    if (slots_[s] == id) return static_cast<int>(s);
  }
  return -1;
}

std::size_t TalkerSelector::SelectedCount() const {
  return static_cast<std::size_t>(
      std::count_if(slots_.begin(), slots_.end(), [](uint32_t id) { return id != kNone; }));
}

std::span<const uint32_t> TalkerSelector::Select(std::span<const TalkerCandidate> candidates) {
  scratch_.clear();
  for (const TalkerCandidate& c : candidates) {
    if (!c.talking) continue;
    TalkerCandidate ranked = c;
    if (SlotOf(c.id) >= 0) ranked.levelDbov += holdBonusDb_;
    scratch_.push_back(ranked);
  }
  const std::size_t k = std::min(slots_.size(), scratch_.size());
  std::partial_sort(scratch_.begin(), scratch_.begin() + static_cast<std::ptrdiff_t>(k), scratch_.end(),
                    [](const TalkerCandidate& a, const TalkerCandidate& b) {
                      if (a.levelDbov != b.levelDbov) return a.levelDbov > b.levelDbov;
                      return a.id < b.id;
                    });
  chosen_.clear();
  for (std::size_t i = 0; i < k; ++i) chosen_.push_back(scratch_[i].id);

  // Keep the slots of talkers still chosen; free the others.
  for (uint32_t& slot : slots_) {
    auto it = std::find(chosen_.begin(), chosen_.end(), slot);
    if (slot != kNone && it != chosen_.end()) {
      *it = kNone;  // placed
    } else {
      slot = kNone;
    }
  }
  // Newcomers take free slots, loudest first.
  auto freeSlot = slots_.begin();
  for (uint32_t id : chosen_) {
    if (id == kNone) continue;
    freeSlot = std::find(freeSlot, slots_.end(), kNone);
    *freeSlot = id;
  }
  return slots_;
}

}  // namespace medicall::media::audio
