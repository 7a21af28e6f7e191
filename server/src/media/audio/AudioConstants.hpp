#pragma once

#include <cstddef>
#include <cstdint>

// The one internal audio format of the mixer: 48 kHz mono int16, 20 ms frames. Opus always runs at
// 48 kHz on the wire in WebRTC (RFC 7587 section 4.1: the RTP clock rate is 48000 whatever the
// coded bandwidth), so one 20 ms packet advances the RTP timestamp by 960.
namespace medicall::media::audio {

inline constexpr int kSampleRate = 48000;
inline constexpr int kChannels = 1;
inline constexpr std::size_t kFrameSamples = 960;     // 20 ms at 48 kHz, mono
inline constexpr int64_t kFrameDurationUs = 20'000;   // one mixer tick
inline constexpr uint32_t kRtpTimestampStep = 960;    // RTP clock 48 kHz, 20 ms
inline constexpr std::size_t kMaxOpusPayload = 1500;  // bound on one stored or produced packet
inline constexpr float kSilenceDbov = -127.0f;        // RFC 6464 lowest level

}  // namespace medicall::media::audio
