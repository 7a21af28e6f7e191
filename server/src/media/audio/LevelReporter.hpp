#pragma once

#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "media/audio/JitterBuffer.hpp"

namespace medicall::media::audio {

// One attendee's entry of AUDIO_METADATA.attendee_states, in Chime's units (chime-protocol.md
// section 4). The signaling layer copies it into the protobuf frame.
struct AttendeeLevel {
  uint32_t id = 0;  // audio stream id (announced before in AUDIO_STREAM_ID_INFO)
  uint32_t volume =
      127;  // positive attenuation in dB: the client plays -volume dBFS over [-42, -14] to [0, 1]
  uint32_t signalStrength = 0;  // 0..2: 2 = receiving well, 1 = noticeable loss, 0 = nothing or heavy loss
  bool muted = false;           // muted attendees report silence (mute itself goes in AUDIO_STREAM_ID_INFO)
};

struct LevelReporterConfig {
  uint32_t ticksPerReport = 10;  // 10 x 20 ms: five reports a second
  float weakLossRatio = 0.05f;   // above this share of lost frames, signal strength drops to 1
  float noneLossRatio = 0.25f;   // above this, 0
};

// Aggregates per-tick levels into AUDIO_METADATA reports about five times a second. The volume of an
// attendee is the loudest 20 ms frame of the window (a speech meter with peak hold), which reacts
// within one report to the start of speech.
class LevelReporter {
 public:
  static constexpr uint32_t kSilentVolume = 127;

  explicit LevelReporter(const LevelReporterConfig& config = {});

  void Observe(uint32_t id, float levelDbov, JitterFrame::Kind kind, bool muted);
  void Remove(uint32_t id);
  // Ends a tick. Every ticksPerReport ticks returns one entry per attendee observed since the last
  // report (valid until the next call); otherwise an empty span.
  std::span<const AttendeeLevel> EndTick();

  // dBov (<= 0) to Chime's volume: the attenuation, rounded and clamped to 0..127.
  static uint32_t VolumeFromDbov(float dbov);
  // What amazon-chime-sdk-js shows for a volume (DefaultVolumeIndicatorAdapter.normalizedVolume with
  // MIN_VOLUME_DECIBELS -42 and MAX_VOLUME_DECIBELS -14): 1 at 14 dB attenuation and above, 0 at 42 and
  // below.
  static double ClientNormalizedVolume(uint32_t volume);

 private:
  struct Window {
    uint32_t id = 0;
    float peakDbov = -127.0f;
    uint32_t packets = 0;
    uint32_t lost = 0;
    bool muted = false;
    bool seen = false;
  };

  LevelReporterConfig config_;
  uint32_t tick_ = 0;
  std::unordered_map<uint32_t, std::size_t> index_;
  std::vector<Window> windows_;
  std::vector<AttendeeLevel> report_;
};

}  // namespace medicall::media::audio
