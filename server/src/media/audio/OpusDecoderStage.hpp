#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "media/audio/AudioConstants.hpp"

struct OpusDecoder;

namespace medicall::media::audio {

using PcmFrame = std::span<int16_t, kFrameSamples>;

struct OpusDecoderStats {
  uint64_t decoded = 0;
  uint64_t fecDecoded = 0;
  uint64_t concealed = 0;
  uint64_t errors = 0;  // malformed packets or packets not 20 ms long (the frame is concealed instead)
};

// One attendee's libopus decoder: 48 kHz mono int16 (stereo packets are down-mixed by libopus).
// The decoder state is allocated once; decoding does not allocate.
class OpusDecoderStage {
 public:
  OpusDecoderStage();
  ~OpusDecoderStage();
  OpusDecoderStage(const OpusDecoderStage&) = delete;
  OpusDecoderStage& operator=(const OpusDecoderStage&) = delete;
  OpusDecoderStage(OpusDecoderStage&&) noexcept;
  OpusDecoderStage& operator=(OpusDecoderStage&&) noexcept;

  // Decodes a 20 ms packet. On a malformed packet or another duration, conceals instead and
  // returns false. `pcm` always holds 20 ms of audio afterwards.
  bool Decode(std::span<const uint8_t> packet, PcmFrame pcm);
  // Recovers the previous (lost) frame from the LBRR data in `nextPacket` (decode_fec = 1).
  bool DecodeFec(std::span<const uint8_t> nextPacket, PcmFrame pcm);
  // Packet loss concealment for one missing frame.
  void Conceal(PcmFrame pcm);
  void Reset();

  const OpusDecoderStats& Stats() const { return stats_; }

 private:
  struct Deleter {
    void operator()(OpusDecoder* d) const;
  };
  std::unique_ptr<OpusDecoder, Deleter> decoder_;
  OpusDecoderStats stats_;
};

}  // namespace medicall::media::audio
