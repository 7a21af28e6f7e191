#include "media/audio/OpusDecoderStage.hpp"

#include <opus.h>

#include <algorithm>
#include <stdexcept>

#include "media/audio/OpusPacket.hpp"

namespace medicall::media::audio {

void OpusDecoderStage::Deleter::operator()(OpusDecoder* d) const { opus_decoder_destroy(d); }

OpusDecoderStage::OpusDecoderStage() {
  int error = OPUS_OK;
  decoder_.reset(opus_decoder_create(kSampleRate, kChannels, &error));
  if (error != OPUS_OK || !decoder_) throw std::runtime_error("opus_decoder_create failed");
}

OpusDecoderStage::~OpusDecoderStage() = default;
OpusDecoderStage::OpusDecoderStage(OpusDecoderStage&&) noexcept = default;
OpusDecoderStage& OpusDecoderStage::operator=(OpusDecoderStage&&) noexcept = default;

bool OpusDecoderStage::Decode(std::span<const uint8_t> packet, PcmFrame pcm) {
  if (OpusPacket::Samples48k(packet) != static_cast<int>(kFrameSamples)) {
    ++stats_.errors;
    Conceal(pcm);
    return false;
  }
  const int n = opus_decode(decoder_.get(), packet.data(), static_cast<opus_int32>(packet.size()), pcm.data(),
                            static_cast<int>(kFrameSamples), 0);
  if (n != static_cast<int>(kFrameSamples)) {
    ++stats_.errors;
    Conceal(pcm);
    return false;
  }
  ++stats_.decoded;
  return true;
}

bool OpusDecoderStage::DecodeFec(std::span<const uint8_t> nextPacket, PcmFrame pcm) {
  if (OpusPacket::Samples48k(nextPacket) != static_cast<int>(kFrameSamples)) {
    ++stats_.errors;
    Conceal(pcm);
    return false;
  }
  // With decode_fec = 1, frame_size must be exactly the lost duration (libopus docs).
  const int n = opus_decode(decoder_.get(), nextPacket.data(), static_cast<opus_int32>(nextPacket.size()),
                            pcm.data(), static_cast<int>(kFrameSamples), 1);
  if (n != static_cast<int>(kFrameSamples)) {
    ++stats_.errors;
    Conceal(pcm);
    return false;
  }
  ++stats_.fecDecoded;
  return true;
}

void OpusDecoderStage::Conceal(PcmFrame pcm) {
  const int n = opus_decode(decoder_.get(), nullptr, 0, pcm.data(), static_cast<int>(kFrameSamples), 0);
  if (n != static_cast<int>(kFrameSamples)) std::fill(pcm.begin(), pcm.end(), int16_t{0});
  ++stats_.concealed;
}

void OpusDecoderStage::Reset() { opus_decoder_ctl(decoder_.get(), OPUS_RESET_STATE); }

}  // namespace medicall::media::audio
