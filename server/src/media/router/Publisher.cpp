#include "media/router/Publisher.hpp"

#include <algorithm>

#include "webrtc/rtp/SeqNum.hpp"

namespace medicall::media::router {

Publisher::Publisher(RouterPeer& owner, uint32_t streamId, uint32_t groupId, uint32_t maxBitrateKbps)
    : owner_(owner), streamId_(streamId), groupId_(groupId), maxBitrateKbps_(maxBitrateKbps) {
  subscribers_.reserve(16);
}

void Publisher::SetStream(uint32_t mediaSsrc, uint32_t rtxSsrc, uint8_t payloadType, int rtxPayloadType) {
  if (mediaSsrc != 0 && mediaSsrc != mediaSsrc_) AdoptSsrc(mediaSsrc);
  rtxSsrc_ = rtxSsrc;
  payloadType_ = payloadType;
  rtxPayloadType_ = rtxPayloadType;
}

void Publisher::AdoptSsrc(uint32_t mediaSsrc) {
  mediaSsrc_ = mediaSsrc;
  stats_.Reset();
  cache_.Clear();
  missing_ = {};
  highestSeq_.reset();
}

bool Publisher::OnSequence(uint16_t sequenceNumber, int64_t nowMs) {
  using webrtc::rtp::SeqNum;
  if (!highestSeq_) {
    highestSeq_ = sequenceNumber;
    return true;
  }
  if (SeqNum::IsNewer(sequenceNumber, *highestSeq_)) {
    const int32_t gap = SeqNum::Diff(sequenceNumber, *highestSeq_) - 1;
    if (gap > kMaxGap) {
      missing_ = {};
    } else {
      for (int32_t i = 1; i <= gap; ++i) {
        Missing& m = missing_[nextMissing_];  // a full list drops its oldest entry
        nextMissing_ = (nextMissing_ + 1) % kMaxMissing;
        m = Missing{static_cast<uint16_t>(*highestSeq_ + i), true, 0, nowMs, 0};
      }
    }
    highestSeq_ = sequenceNumber;
    return true;
  }
  if (sequenceNumber == *highestSeq_) return false;
  // Older: a reordered or repaired packet; new only if it was missing.
  for (Missing& m : missing_) {
    if (m.used && m.seq == sequenceNumber) {
      m.used = false;
      return true;
    }
  }
  // Not known as missing: either received already or older than what we track.
  return SeqNum::Diff(*highestSeq_, sequenceNumber) > kMaxGap || !cache_.Get(sequenceNumber, nowMs, 1 << 30);
}

size_t Publisher::CollectNacks(int64_t nowMs, std::span<uint16_t> out) {
  size_t n = 0;
  for (Missing& m : missing_) {
    if (!m.used) continue;
    if (m.tries >= kMaxNackTries || nowMs - m.sinceMs > kMissingMaxAgeMs) {
      m.used = false;
      continue;
    }
    if (m.lastNackMs != 0 && nowMs - m.lastNackMs < kNackRetryMs) continue;
    if (n == out.size()) break;
    out[n++] = m.seq;
    m.lastNackMs = nowMs;
    ++m.tries;
  }
  std::sort(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n),
            [](uint16_t a, uint16_t b) { return webrtc::rtp::SeqNum::IsNewer(b, a); });
  return n;
}

size_t Publisher::MissingCount() const {
  return static_cast<size_t>(
      std::count_if(missing_.begin(), missing_.end(), [](const Missing& m) { return m.used; }));
}

void Publisher::Attach(Subscription& subscription) {
  if (std::find(subscribers_.begin(), subscribers_.end(), &subscription) == subscribers_.end()) {
    subscribers_.push_back(&subscription);
  }
}

void Publisher::Detach(Subscription& subscription) {
  subscribers_.erase(std::remove(subscribers_.begin(), subscribers_.end(), &subscription),
                     subscribers_.end());
}

}  // namespace medicall::media::router
