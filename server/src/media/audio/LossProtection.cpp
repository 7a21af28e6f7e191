#include "media/audio/LossProtection.hpp"

#include <algorithm>
#include <cmath>

namespace medicall::media::audio {

LossProtection::LossProtection(const LossProtectionConfig& config) : config_(config) {
  config_.timeConstantUs = std::max<int64_t>(config_.timeConstantUs, 1);
  config_.maxLoss = std::clamp(config_.maxLoss, 0.01, 1.0);
}

bool LossProtection::OnReport(double fractionLost, int64_t atUs) {
  if (reports_ != 0 && atUs < lastReportUs_ + kSameReportUs) return false;
  const double loss = std::isfinite(fractionLost) ? std::clamp(fractionLost, 0.0, 1.0) : 0.0;
  if (reports_ == 0) {
    smoothed_ = loss;
  } else {
    // Weight of the past: exp(-dt / tau), as alpha^dt with alpha = exp(-1 / tau).
    const double keep =
        std::exp(-static_cast<double>(atUs - lastReportUs_) / static_cast<double>(config_.timeConstantUs));
    smoothed_ = keep * smoothed_ + (1.0 - keep) * loss;
  }
  ++reports_;
  lastReportUs_ = atUs;
  if (loss > 0) lastLossUs_ = atUs;
  if (!fecOn_ && smoothed_ >= config_.enableLoss) {
    fecOn_ = true;
  } else if (fecOn_ && smoothed_ < config_.disableLoss && atUs - lastLossUs_ >= config_.holdUs) {
    fecOn_ = false;
  }
  return true;
}

int LossProtection::LossPercent() const {
  if (!fecOn_) return 0;
  const double capped = std::min(smoothed_, config_.maxLoss);
  return std::clamp(static_cast<int>(std::ceil(capped * 100.0 - 1e-9)), 1,
                    static_cast<int>(std::lround(config_.maxLoss * 100.0)));
}

EncoderProtection LossProtection::ForLoss(const LossProtectionConfig& config, int baseBitrateBps,
                                          int lossPercent) {
  if (lossPercent <= 0)
    return EncoderProtection{.fec = false, .lossPercent = 0, .bitrateBps = baseBitrateBps};
  const int percent = std::min(lossPercent, 100);
  const double factor = 1.0 + config.fecHeadroom + percent / 100.0;
  const int raised = static_cast<int>(std::lround(baseBitrateBps * factor));
  return EncoderProtection{.fec = true,
                           .lossPercent = percent,
                           .bitrateBps = std::max(baseBitrateBps, std::min(raised, config.maxBitrateBps))};
}

}  // namespace medicall::media::audio
