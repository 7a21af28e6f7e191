#pragma once

#include <cstdint>

namespace medicall::media::audio {

// How the Opus encoder of a mix protects itself against the listeners' downlink loss.
struct EncoderProtection {
  bool fec = false;     // OPUS_SET_INBAND_FEC: SILK low-bit-rate redundancy of the previous frame (LBRR)
  int lossPercent = 0;  // OPUS_SET_PACKET_LOSS_PERC (0 when fec is off)
  int bitrateBps = 0;   // OPUS_SET_BITRATE

  bool operator==(const EncoderProtection&) const = default;
};

struct LossProtectionConfig {
  // The loss of the receiver reports is smoothed with a time-weighted exponential filter: libwebrtc's
  // AudioEncoderOpusImpl::PacketLossFractionSmoother (alpha 0.9999 per ms, a 10 s time constant; its
  // first sample is taken as it is).
  int64_t timeConstantUs = 10'000'000;
  double enableLoss = 0.01;     // FEC goes on when the smoothed loss reaches 1 %
  double disableLoss = 0.005;   // and off when it is below 0.5 % ...
  int64_t holdUs = 10'000'000;  // ... and no report has shown any loss for 10 s (hysteresis)
  double maxLoss = 0.20;        // the loss told to the encoder is capped (libwebrtc: kMaxPacketLossFraction)
  // With FEC the bitrate is raised to leave the primary frames their bits: libopus spends the LBRR
  // copy out of the same target (SILK-only: silk_setup_LBRR codes the copy inside the frame budget;
  // hybrid: compute_silk_rate_for_hybrid gives SILK more of the total when FEC is on, CELT less), and
  // the copy grows with the loss (LBRR_GainIncreases = max(7 - 0.2 * loss %, 3): a finer quantizer).
  // bitrate = base * (1 + fecHeadroom + loss), at most maxBitrateBps.
  double fecHeadroom = 0.25;
  int maxBitrateBps = 64'000;
};

// One listener's need for in-band FEC in the mix it hears, from its RTCP receiver reports about that
// stream (RFC 3550 section 6.4.1 fraction lost). FEC goes on once the smoothed loss reaches
// enableLoss, and off once it fell below disableLoss with no lossy report for holdUs. Decisions are
// taken when a report arrives (a listener whose reports stop keeps its last state). Worker thread
// only; no allocation.
class LossProtection {
 public:
  explicit LossProtection(const LossProtectionConfig& config = {});

  // Reports closer together than this are one report seen twice (the router's view is polled and its
  // arrival time rebuilt from an age in milliseconds); a receiver's regular reports are seconds apart.
  static constexpr int64_t kSameReportUs = 50'000;

  // A report (fraction lost 0..1 since the receiver's previous one) that arrived at atUs. A report
  // less than kSameReportUs after the last one taken is that one seen again: ignored (returns false).
  bool OnReport(double fractionLost, int64_t atUs);

  double SmoothedLoss() const { return smoothed_; }
  bool FecOn() const { return fecOn_; }
  // The loss the encoder should plan for, in percent: 0 while FEC is off, else 1..maxLoss.
  int LossPercent() const;
  uint64_t Reports() const { return reports_; }

  // The encoder settings for a mix whose most demanding listener needs `lossPercent` (0: none).
  static EncoderProtection ForLoss(const LossProtectionConfig& config, int baseBitrateBps, int lossPercent);

 private:
  LossProtectionConfig config_;
  uint64_t reports_ = 0;
  int64_t lastReportUs_ = 0;
  int64_t lastLossUs_ = 0;
  double smoothed_ = 0;
  bool fecOn_ = false;
};

}  // namespace medicall::media::audio
