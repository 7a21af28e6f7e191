#include "media/audio/LevelReporter.hpp"

#include <algorithm>
#include <cmath>

namespace medicall::media::audio {

LevelReporter::LevelReporter(const LevelReporterConfig& config) : config_(config) {
  if (config_.ticksPerReport == 0) config_.ticksPerReport = 1;
}

uint32_t LevelReporter::VolumeFromDbov(float dbov) {
  const float attenuation = std::round(-dbov);
  return static_cast<uint32_t>(std::clamp(attenuation, 0.0f, static_cast<float>(kSilentVolume)));
}

double LevelReporter::ClientNormalizedVolume(uint32_t volume) {
  constexpr double kMinDb = -42.0;
  constexpr double kMaxDb = -14.0;
  const double db = -static_cast<double>(volume);
  const double normalized = 1.0 - (db - kMaxDb) / (kMinDb - kMaxDb);
  return std::clamp(normalized, 0.0, 1.0);
}

void LevelReporter::Observe(uint32_t id, float levelDbov, JitterFrame::Kind kind, bool muted) {
  auto [it, inserted] = index_.try_emplace(id, windows_.size());
  if (inserted) windows_.push_back(Window{.id = id});
  Window& w = windows_[it->second];
  w.seen = true;
  w.muted = muted;
  if (!muted) w.peakDbov = std::max(w.peakDbov, levelDbov);
  if (kind == JitterFrame::Kind::kPacket) ++w.packets;
  if (kind == JitterFrame::Kind::kLost) ++w.lost;
}

void LevelReporter::Remove(uint32_t id) {
  auto it = index_.find(id);
  if (it == index_.end()) return;
  const std::size_t pos = it->second;
  index_.erase(it);
  if (pos + 1 != windows_.size()) {
    windows_[pos] = windows_.back();
    index_[windows_[pos].id] = pos;
  }
  windows_.pop_back();
}

std::span<const AttendeeLevel> LevelReporter::EndTick() {
  if (++tick_ < config_.ticksPerReport) return {};
  tick_ = 0;
  report_.clear();
  for (Window& w : windows_) {
    if (!w.seen) continue;
    AttendeeLevel level;
    level.id = w.id;
    level.muted = w.muted;
    level.volume = w.muted ? kSilentVolume : VolumeFromDbov(w.peakDbov);
    const uint32_t expected = w.packets + w.lost;
    if (expected == 0) {
      level.signalStrength = 0;
    } else {
      const float loss = static_cast<float>(w.lost) / static_cast<float>(expected);
      level.signalStrength = loss > config_.noneLossRatio ? 0 : (loss > config_.weakLossRatio ? 1 : 2);
    }
    report_.push_back(level);
    w = Window{.id = w.id};
  }
  return report_;
}

}  // namespace medicall::media::audio
