#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>

#include "media/audio/AudioConstants.hpp"
#include "media/audio/LossProtection.hpp"

struct OpusEncoder;

namespace medicall::media::audio {

struct OpusEncoderConfig {
  int bitrateBps = 32'000;       // 32-64 kbit/s is transparent for speech in a mono mix
  int complexity = 5;            // 0..10; 5 halves the CPU of 10 for little audible difference on speech
  bool voip = true;              // OPUS_APPLICATION_VOIP (speech tuned) or OPUS_APPLICATION_AUDIO
  bool inbandFec = true;         // LBRR, so listeners can recover a lost packet from the next one
  int expectedLossPercent = 10;  // FEC is only produced when this is above zero
};

// One libopus encoder: 48 kHz mono int16, 20 ms frames, DTX off (the client expects a continuous
// stream). The encoder state and the output buffer are allocated once.
class OpusEncoderStage {
 public:
  explicit OpusEncoderStage(const OpusEncoderConfig& config = {});
  ~OpusEncoderStage();
  OpusEncoderStage(const OpusEncoderStage&) = delete;
  OpusEncoderStage& operator=(const OpusEncoderStage&) = delete;
  OpusEncoderStage(OpusEncoderStage&&) noexcept;
  OpusEncoderStage& operator=(OpusEncoderStage&&) noexcept;

  // Encodes one frame. The returned packet lives in this object until the next Encode; it is empty
  // if libopus failed (counted).
  std::span<const uint8_t> Encode(std::span<const int16_t, kFrameSamples> pcm);

  // FEC, expected loss and bitrate from now on (the mix's listeners' loss, LossProtection). Only what
  // changed is passed to libopus; false (and nothing changed) if libopus refused a value.
  bool SetProtection(const EncoderProtection& protection);
  const EncoderProtection& Protection() const { return protection_; }

  uint64_t Errors() const { return errors_; }

 private:
  struct Deleter {
    void operator()(OpusEncoder* e) const;
  };
  std::unique_ptr<OpusEncoder, Deleter> encoder_;
  EncoderProtection protection_;
  uint64_t errors_ = 0;
  std::array<uint8_t, kMaxOpusPayload> out_{};
};

}  // namespace medicall::media::audio
