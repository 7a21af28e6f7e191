#include "media/router/Subscription.hpp"

#include <openssl/rand.h>

#include <cstring>

#include "media/router/ExtensionTranslator.hpp"
#include "media/router/Publisher.hpp"
#include "media/router/RouterPeer.hpp"
#include "webrtc/rtp/Rtx.hpp"
#include "webrtc/srtp/SrtpProfile.hpp"

namespace medicall::media::router {

using webrtc::rtp::RtpPacket;

namespace {

template <typename T>
T Random() {
  T v{};
  RAND_bytes(reinterpret_cast<unsigned char*>(&v), sizeof(v));
  return v;
}

constexpr int64_t kMaxRetransmitAgeMs = 1000;

}  // namespace

Subscription::Subscription(RouterPeer& peer, std::string mid, uint32_t ssrc, uint32_t rtxSsrc)
    : peer_(peer),
      mid_(std::move(mid)),
      label_("v_" + mid_),
      ssrc_(ssrc),
      rtxSsrc_(rtxSsrc),
      rewriter_(ssrc, 90000, Random<uint16_t>() & 0x7FFF, Random<uint32_t>()),
      rtxSequence_(Random<uint16_t>() & 0x7FFF) {}

void Subscription::SetPayloadTypes(uint8_t payloadType, int rtxPayloadType) {
  payloadType_ = payloadType;
  rtxPayloadType_ = rtxPayloadType;
}

bool Subscription::SetSource(Publisher* publisher) {
  if (publisher == source_) return false;
  if (source_ != nullptr) source_->Detach(*this);
  source_ = publisher;
  streamId_ = publisher != nullptr ? publisher->StreamId() : 0;
  if (source_ != nullptr) source_->Attach(*this);
  waitingForKeyframe_ = true;
  return true;
}

bool Subscription::Prepare(RtpPacket& copy, const webrtc::sdp::ExtensionIds& sourceIds, int64_t nowUs) {
  const uint32_t sourceTimestamp = copy.Timestamp();
  if (!rewriter_.Rewrite(copy, nowUs / 1000, payloadType_)) return false;
  timestampOffset_ = copy.Timestamp() - sourceTimestamp;
  ExtensionTranslator::Target target;
  target.ids = &peer_.extensions;
  target.mid = mid_;
  target.absSendTime24 = ExtensionTranslator::AbsSendTime(nowUs);
  if (peer_.extensions.transportWideCc != 0) target.transportSequence = peer_.NextTransportSequence();
  ExtensionTranslator::Translate(copy, sourceIds, target);
  return true;
}

bool Subscription::Forward(const RtpPacket& packet, bool keyframe, const webrtc::sdp::ExtensionIds& sourceIds,
                           int64_t nowUs, std::span<uint8_t> scratch) {
  if (payloadType_ == 0 || !peer_.Transport().IsConnected()) return false;
  if (waitingForKeyframe_) {
    if (!keyframe) return false;
    waitingForKeyframe_ = false;
  }
  const size_t size = packet.Size();
  if (size + webrtc::srtp::kSrtpMaxTrailerLength > scratch.size()) return false;
  std::memcpy(scratch.data(), packet.Data().data(), size);
  auto copy = RtpPacket::Parse(scratch.first(size));
  if (!copy || !Prepare(*copy, sourceIds, nowUs)) return false;
  lastSentUs_ = nowUs;
  return peer_.Transport().SendRtp(scratch, size);
}

bool Subscription::Retransmit(uint16_t outputSequence, const webrtc::sdp::ExtensionIds& sourceIds,
                              int64_t nowUs, std::span<uint8_t> scratch, std::span<uint8_t> rtxScratch) {
  if (source_ == nullptr || payloadType_ == 0 || !peer_.Transport().IsConnected()) return false;
  const auto sourceSequence = rewriter_.ToSourceSequence(outputSequence);
  if (!sourceSequence) return false;
  const auto entry = source_->Cache().Get(*sourceSequence, nowUs / 1000, kMaxRetransmitAgeMs);
  if (!entry) return false;
  const size_t size = entry->data.size();
  if (size + webrtc::srtp::kSrtpMaxTrailerLength > scratch.size()) return false;
  std::memcpy(scratch.data(), entry->data.data(), size);
  auto copy = RtpPacket::Parse(scratch.first(size));
  if (!copy) return false;
  // The same header the subscriber saw the first time (not a new rewrite: the rewriter's state must
  // not move for a retransmission).
  copy->SetSsrc(ssrc_);
  copy->SetSequenceNumber(outputSequence);
  copy->SetTimestamp(copy->Timestamp() + timestampOffset_);
  copy->SetPayloadType(payloadType_);
  ExtensionTranslator::Target target;
  target.ids = &peer_.extensions;
  target.mid = mid_;
  target.absSendTime24 = ExtensionTranslator::AbsSendTime(nowUs);
  if (peer_.extensions.transportWideCc != 0) target.transportSequence = peer_.NextTransportSequence();
  ExtensionTranslator::Translate(*copy, sourceIds, target);
  if (rtxPayloadType_ < 0 || rtxSsrc_ == 0) return peer_.Transport().SendRtp(scratch, size);
  const size_t rtxSize = webrtc::rtp::Rtx::Encapsulate(
      *copy, static_cast<uint8_t>(rtxPayloadType_), rtxSsrc_, rtxSequence_,
      rtxScratch.first(rtxScratch.size() - webrtc::srtp::kSrtpMaxTrailerLength));
  if (rtxSize == 0) return false;
  ++rtxSequence_;
  return peer_.Transport().SendRtp(rtxScratch, rtxSize);
}

}  // namespace medicall::media::router
