#include "media/router/RecvStream.hpp"

#include <algorithm>

#include "media/router/RouterContext.hpp"
#include "webrtc/rtcp/Nack.hpp"
#include "webrtc/rtcp/Pli.hpp"
#include "webrtc/rtp/SeqNum.hpp"

namespace medicall::media::router {

namespace rtcp = webrtc::rtcp;

RecvStream::RecvStream(FeedbackTarget& owner, RouterContext& context, std::string rid)
    : owner_(owner), context_(context), rid_(std::move(rid)) {}

void RecvStream::SetStream(uint32_t mediaSsrc, uint32_t rtxSsrc, uint8_t payloadType, int rtxPayloadType,
                           webrtc::rtp::VideoCodec codec, int64_t nowMs) {
  declaredRtxSsrc_ = rtxSsrc;
  // A declared SSRC replaces whatever was received; without one, a learned SSRC stays.
  if (mediaSsrc != 0 && mediaSsrc != mediaSsrc_) Adopt(mediaSsrc, nowMs);
  if (rtxSsrc != 0) rtxSsrc_ = rtxSsrc;
  payloadType_ = payloadType;
  rtxPayloadType_ = rtxPayloadType;
  codec_ = codec;
}

void RecvStream::Adopt(uint32_t mediaSsrc, int64_t nowMs) {
  mediaSsrc_ = mediaSsrc;
  rtxSsrc_ = declaredRtxSsrc_;
  lastMediaMs_ = nowMs;
  lastAdoptMs_ = nowMs;
  stats_.Reset();
  cache_.Clear();
  missing_ = {};
  sequence_.Reset();
}

bool RecvStream::AcceptMediaSsrc(uint32_t ssrc, int64_t nowMs) {
  if (ssrc == mediaSsrc_ && ssrc != 0) {
    lastMediaMs_ = nowMs;
    return true;
  }
  if (mediaSsrc_ == 0) {  // nothing declared: the first SSRC seen is the stream
    Adopt(ssrc, nowMs);
    return true;
  }
  if (ssrc != rtxSsrc_ && nowMs - lastMediaMs_ >= kSilenceBeforeReadoptMs &&
      nowMs - lastAdoptMs_ >= kReadoptIntervalMs) {
    // The SSRC went silent and another one is sending: the sender restarted its stream.
    ++readoptions_;
    Adopt(ssrc, nowMs);
    return true;
  }
  ++foreignSsrcPackets_;
  return false;
}

bool RecvStream::AcceptRtxSsrc(uint32_t ssrc) {
  if (mediaSsrc_ == 0) return false;
  if (rtxSsrc_ == 0) rtxSsrc_ = ssrc;
  return ssrc == rtxSsrc_;
}

bool RecvStream::OnPacket(uint16_t sequenceNumber, uint32_t rtpTimestamp, int64_t nowMs, bool retransmitted) {
  using Result = webrtc::rtp::SequenceTracker::Result;
  bool fresh = true;
  switch (sequence_.Update(sequenceNumber)) {
    case Result::kFirst:
      received_.reset();
      break;
    case Result::kNewer: {
      const int32_t gap = sequence_.Gap();
      // The numbers skipped enter the window unreceived (their bits may be from 1024 numbers ago).
      if (gap >= static_cast<int32_t>(kReceivedWindow)) {
        received_.reset();
      } else {
        for (int32_t i = 1; i <= gap; ++i)
          received_.reset(static_cast<uint16_t>(sequenceNumber - i) % kReceivedWindow);
      }
      if (gap > kMaxGap) {
        missing_ = {};
      } else {
        for (int32_t i = gap; i >= 1; --i) {
          Missing& m = missing_[nextMissing_];  // a full list drops its oldest entry
          nextMissing_ = (nextMissing_ + 1) % kMaxMissing;
          m = Missing{static_cast<uint16_t>(sequenceNumber - i), true, 0, nowMs, 0};
        }
      }
      break;
    }
    case Result::kDuplicate:
      return false;
    case Result::kLate: {
      // A reordered or repaired packet: new only if not received since its number entered the window.
      // (Not the cache: a packet on probation is cached too and may have taken this number's slot.)
      for (Missing& m : missing_) {
        if (m.used && m.seq == sequenceNumber) {
          m.used = false;
          break;
        }
      }
      fresh = !received_.test(sequenceNumber % kReceivedWindow);
      break;
    }
    case Result::kProbation:
      // A jump, not believed yet: forwarded (the subscribers' rewriters hold it on probation too) and
      // cached, but it moves neither the loss tracking, the received window nor the statistics.
      return true;
    case Result::kResynced:
      // The sender renumbered: what was missing before the jump will not come. The packet on probation
      // just before this one was forwarded: a copy of it is a duplicate.
      missing_ = {};
      received_.reset();
      received_.set(static_cast<uint16_t>(sequenceNumber - 1) % kReceivedWindow);
      stats_.Reset();
      break;
  }
  if (fresh) received_.set(sequenceNumber % kReceivedWindow);
  if (fresh) stats_.OnPacket(sequenceNumber, rtpTimestamp, nowMs, retransmitted);
  return fresh;
}

void RecvStream::Store(uint16_t sequenceNumber, std::span<const uint8_t> packet, uint32_t rtpTimestamp,
                       std::span<const uint8_t> payload, webrtc::rtp::VideoCodec codec, bool keyframe,
                       int64_t nowMs) {
  codec_ = codec;
  if (lastPacketMs_ == 0 || nowMs - lastPacketMs_ > kLiveMs) liveSinceMs_ = nowMs;
  lastPacketMs_ = nowMs;
  octets_ += packet.size();
  if (!anyFrame_ || rtpTimestamp != lastFrameTimestamp_) {
    anyFrame_ = true;
    lastFrameTimestamp_ = rtpTimestamp;
    ++frames_;
  }
  if (keyframe) {
    keyframes_.OnKeyframe();
    ++keyframesSeen_;
    if (const auto size = webrtc::rtp::KeyframeDetector::KeyframeSize(codec_, payload)) {
      width_ = size->width;
      height_ = size->height;
    }
  }
  cache_.Store(sequenceNumber, packet, nowMs);
}

void RecvStream::CloseInterval(int64_t elapsedMs) {
  if (elapsedMs > 0) {
    avgBitrateBps_ = static_cast<uint32_t>(octets_ * 8000 / static_cast<uint64_t>(elapsedMs));
    framerate_ =
        static_cast<uint32_t>((static_cast<uint64_t>(frames_) * 1000 + static_cast<uint64_t>(elapsedMs) / 2) /
                              static_cast<uint64_t>(elapsedMs));
  }
  octets_ = 0;
  frames_ = 0;
}

size_t RecvStream::CollectNacks(int64_t nowMs, std::span<uint16_t> out) {
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

size_t RecvStream::MissingCount() const {
  return static_cast<size_t>(
      std::count_if(missing_.begin(), missing_.end(), [](const Missing& m) { return m.used; }));
}

void RecvStream::SendFeedback(int64_t nowMs) {
  if (keyframes_.Due(nowMs) && SendPli()) keyframes_.Sent(nowMs);
  if (mediaSsrc_ == 0 || !owner_.FeedbackConnected()) return;
  const size_t count = CollectNacks(nowMs, nackList_);
  if (count == 0) return;
  const size_t n =
      rtcp::Nack::Serialize(owner_.FeedbackSenderSsrc(), mediaSsrc_,
                            std::span<const uint16_t>(nackList_.data(), count), context_.RtcpOut());
  if (n > 0 && owner_.SendFeedbackRtcp(context_.rtcpBuffer, n)) context_.stats.upstreamNacks += count;
}

void RecvStream::RequestKeyframe(int64_t nowMs) {
  keyframes_.Request(nowMs);
  if (keyframes_.Due(nowMs) && SendPli()) keyframes_.Sent(nowMs);
}

bool RecvStream::SendPli() {
  if (mediaSsrc_ == 0 || !owner_.FeedbackConnected()) return false;
  const rtcp::Pli pli{owner_.FeedbackSenderSsrc(), mediaSsrc_};
  const size_t n = pli.Serialize(context_.RtcpOut());
  if (n == 0 || !owner_.SendFeedbackRtcp(context_.rtcpBuffer, n)) return false;
  ++context_.stats.keyframeRequests;
  return true;
}

}  // namespace medicall::media::router
