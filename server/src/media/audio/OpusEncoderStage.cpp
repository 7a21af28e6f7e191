#include "media/audio/OpusEncoderStage.hpp"

#include <opus.h>

#include <stdexcept>

namespace medicall::media::audio {

void OpusEncoderStage::Deleter::operator()(OpusEncoder* e) const { opus_encoder_destroy(e); }

OpusEncoderStage::OpusEncoderStage(const OpusEncoderConfig& config) {
  int error = OPUS_OK;
  const int application = config.voip ? OPUS_APPLICATION_VOIP : OPUS_APPLICATION_AUDIO;
  encoder_.reset(opus_encoder_create(kSampleRate, kChannels, application, &error));
  if (error != OPUS_OK || !encoder_) throw std::runtime_error("opus_encoder_create failed");
  OpusEncoder* e = encoder_.get();
  if (opus_encoder_ctl(e, OPUS_SET_BITRATE(config.bitrateBps)) != OPUS_OK ||
      opus_encoder_ctl(e, OPUS_SET_COMPLEXITY(config.complexity)) != OPUS_OK ||
      opus_encoder_ctl(e, OPUS_SET_INBAND_FEC(config.inbandFec ? 1 : 0)) != OPUS_OK ||
      opus_encoder_ctl(e, OPUS_SET_PACKET_LOSS_PERC(config.inbandFec ? config.expectedLossPercent : 0)) !=
          OPUS_OK ||
      opus_encoder_ctl(e, OPUS_SET_DTX(0)) != OPUS_OK ||
      opus_encoder_ctl(e, OPUS_SET_SIGNAL(config.voip ? OPUS_SIGNAL_VOICE : OPUS_AUTO)) != OPUS_OK) {
    throw std::runtime_error("opus_encoder_ctl rejected the configuration");
  }
  protection_ = EncoderProtection{.fec = config.inbandFec,
                                  .lossPercent = config.inbandFec ? config.expectedLossPercent : 0,
                                  .bitrateBps = config.bitrateBps};
}

bool OpusEncoderStage::SetProtection(const EncoderProtection& protection) {
  if (protection == protection_) return true;
  OpusEncoder* e = encoder_.get();
  const EncoderProtection before = protection_;
  const bool ok = opus_encoder_ctl(e, OPUS_SET_BITRATE(protection.bitrateBps)) == OPUS_OK &&
                  opus_encoder_ctl(e, OPUS_SET_PACKET_LOSS_PERC(protection.lossPercent)) == OPUS_OK &&
                  opus_encoder_ctl(e, OPUS_SET_INBAND_FEC(protection.fec ? 1 : 0)) == OPUS_OK;
  if (!ok) {
    // Back to the settings that worked (libopus validates before it stores, so they are intact
    // except for the calls that succeeded).
    opus_encoder_ctl(e, OPUS_SET_BITRATE(before.bitrateBps));
    opus_encoder_ctl(e, OPUS_SET_PACKET_LOSS_PERC(before.lossPercent));
    opus_encoder_ctl(e, OPUS_SET_INBAND_FEC(before.fec ? 1 : 0));
    ++errors_;
    return false;
  }
  protection_ = protection;
  return true;
}

OpusEncoderStage::~OpusEncoderStage() = default;
OpusEncoderStage::OpusEncoderStage(OpusEncoderStage&&) noexcept = default;
OpusEncoderStage& OpusEncoderStage::operator=(OpusEncoderStage&&) noexcept = default;

std::span<const uint8_t> OpusEncoderStage::Encode(std::span<const int16_t, kFrameSamples> pcm) {
  const opus_int32 n = opus_encode(encoder_.get(), pcm.data(), static_cast<int>(kFrameSamples), out_.data(),
                                   static_cast<opus_int32>(out_.size()));
  if (n <= 0) {
    ++errors_;
    return {};
  }
  return std::span<const uint8_t>(out_.data(), static_cast<std::size_t>(n));
}

}  // namespace medicall::media::audio
