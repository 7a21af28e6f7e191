#include "media/router/SendStream.hpp"

#include <cstring>

#include "common/Bytes.hpp"
#include "common/Random.hpp"
#include "media/router/ExtensionTranslator.hpp"
#include "media/router/RecvStream.hpp"
#include "media/router/RouterPeer.hpp"
#include "webrtc/rtp/RtpPacketBuilder.hpp"
#include "webrtc/rtp/Rtx.hpp"
#include "webrtc/srtp/SrtpProfile.hpp"

namespace medicall::media::router {

using webrtc::rtp::RtpPacket;

namespace {

constexpr int64_t kMaxRetransmitAgeMs = 1000;

}  // namespace

SendStream::SendStream(RouterPeer& peer, const std::string& mid, uint32_t ssrc, uint32_t rtxSsrc)
    : peer_(peer),
      mid_(mid),
      ssrc_(ssrc),
      rtxSsrc_(rtxSsrc),
      rewriter_(ssrc, kVideoClockRate, random::Value<uint16_t>() & 0x7FFF, random::Value<uint32_t>()),
      rtxSequence_(random::Value<uint16_t>() & 0x7FFF) {}

void SendStream::SetPayloadTypes(uint8_t payloadType, int rtxPayloadType) {
  payloadType_ = payloadType;
  rtxPayloadType_ = rtxPayloadType;
}

bool SendStream::Ready() const { return payloadType_ != 0 && peer_.Transport().IsConnected(); }

PacedSender::SendTimeFields SendStream::TranslateExtensions(RtpPacket& copy,
                                                            const webrtc::rtp::ExtensionIds& sourceIds,
                                                            int64_t nowUs) {
  ExtensionTranslator::Target target;
  target.ids = &peer_.extensions;
  target.mid = mid_;
  target.absSendTime24 = ExtensionTranslator::AbsSendTime(nowUs);
  ExtensionTranslator::Translate(copy, sourceIds, target);
  return SendTimeFieldsOf(copy);
}

PacedSender::SendTimeFields SendStream::SendTimeFieldsOf(const RtpPacket& packet) const {
  // Both values are written by the pacer when the packet leaves: a transport-wide sequence number
  // (with its send time for the estimator) only for a packet that carries the element, numbers the
  // subscriber never sees would read as losses.
  PacedSender::SendTimeFields fields;
  const uint8_t* base = packet.Data().data();
  if (peer_.extensions.transportWideCc != 0) {
    if (auto v = packet.FindExtension(peer_.extensions.transportWideCc); v && v->size() == 2)
      fields.transportSequence = static_cast<uint16_t>(v->data() - base);
  }
  if (peer_.extensions.absSendTime != 0) {
    if (auto v = packet.FindExtension(peer_.extensions.absSendTime); v && v->size() == 3)
      fields.absSendTime = static_cast<uint16_t>(v->data() - base);
  }
  return fields;
}

bool SendStream::Send(const RtpPacket& packet, const RecvStream& source,
                      const webrtc::rtp::ExtensionIds& sourceIds, int64_t nowUs, std::span<uint8_t> scratch) {
  if (!Ready()) return false;
  const size_t size = packet.Size();
  if (size + webrtc::srtp::kSrtpMaxTrailerLength > scratch.size()) return false;
  auto copy = packet.CopyTo(scratch);  // the offsets as parsed on receipt: no second parse
  if (!copy) return false;
  const uint32_t sourceTimestamp = copy->Timestamp();
  if (!rewriter_.Rewrite(*copy, nowUs / 1000, payloadType_)) return false;
  timestampOffset_ = copy->Timestamp() - sourceTimestamp;
  // Sender reports map timestamps to when the media reached us (not when it left): the first packet
  // of the newest frame anchors the mapping.
  if (anchorArrivalUs_ == 0 || static_cast<int32_t>(copy->Timestamp() - anchorTimestamp_) > 0) {
    anchorTimestamp_ = copy->Timestamp();
    anchorArrivalUs_ = source.LastPacketMs() > 0 ? source.LastPacketMs() * 1000 : nowUs;
  }
  const PacedSender::SendTimeFields fields = TranslateExtensions(*copy, sourceIds, nowUs);
  lastSentUs_ = nowUs;
  if (!peer_.pacer.Send(PacedSender::Kind::kVideo, scratch, size, fields, nowUs)) return false;
  octets_ += size;
  return true;
}

SendStream::NackOutcome SendStream::ReceiveNack(const webrtc::rtcp::Nack& nack, RecvStream* source,
                                                const webrtc::rtp::ExtensionIds& sourceIds, int64_t nowUs,
                                                std::span<uint8_t> scratch, std::span<uint8_t> rtxScratch,
                                                RtxBudget& budget) {
  NackOutcome outcome;
  retransmitter_.BeginNack();
  nack.ForEachLost([&](uint16_t seq) {
    switch (Retransmit(seq, source, sourceIds, nowUs, scratch, rtxScratch, budget)) {
      case Resend::kSent:
        ++outcome.sent;
        break;
      case Resend::kMiss:
        ++outcome.misses;
        break;
      case Resend::kSuppressed:
        ++outcome.suppressed;
        break;
      case Resend::kOverBudget:
        ++outcome.overBudget;
        break;
    }
  });
  return outcome;
}

SendStream::Resend SendStream::Retransmit(uint16_t outputSequence, RecvStream* source,
                                          const webrtc::rtp::ExtensionIds& sourceIds, int64_t nowUs,
                                          std::span<uint8_t> scratch, std::span<uint8_t> rtxScratch,
                                          RtxBudget& budget) {
  if (retransmitter_.Check(outputSequence, nowUs) != Retransmitter::Verdict::kSend)
    return Resend::kSuppressed;
  if (source == nullptr || !Ready()) return Resend::kMiss;
  const auto sourceSequence = rewriter_.ToSourceSequence(outputSequence);
  if (!sourceSequence) return Resend::kMiss;
  const auto entry = source->Cache().Get(*sourceSequence, nowUs / 1000, kMaxRetransmitAgeMs);
  if (!entry) return Resend::kMiss;
  const size_t size = entry->data.size();
  if (size + webrtc::srtp::kSrtpMaxTrailerLength > scratch.size()) return Resend::kMiss;
  const bool rtx = rtxPayloadType_ >= 0 && rtxSsrc_ != 0;
  if (!budget.TryConsume(size + (rtx ? webrtc::rtp::Rtx::kOsnSize : 0), nowUs)) return Resend::kOverBudget;
  std::memcpy(scratch.data(), entry->data.data(), size);
  auto copy = RtpPacket::Parse(scratch.first(size));
  if (!copy) return Resend::kMiss;
  // The same header the subscriber saw the first time (not a new rewrite: the rewriter's state must
  // not move for a retransmission).
  copy->SetSsrc(ssrc_);
  copy->SetSequenceNumber(outputSequence);
  copy->SetTimestamp(copy->Timestamp() + timestampOffset_);
  copy->SetPayloadType(payloadType_);
  const PacedSender::SendTimeFields fields = TranslateExtensions(*copy, sourceIds, nowUs);
  bool sent = false;
  if (!rtx) {
    sent = peer_.pacer.Send(PacedSender::Kind::kRtx, scratch, size, fields, nowUs);
  } else {
    const size_t rtxSize =
        BuildRtx(*copy, rtxScratch.first(rtxScratch.size() - webrtc::srtp::kSrtpMaxTrailerLength));
    if (rtxSize == 0) return Resend::kMiss;
    ++rtxSequence_;
    // The RTX header has its own layout (our MID first): the pacer's fields are found in it again.
    auto rtxPacket = RtpPacket::Parse(rtxScratch.first(rtxSize));
    if (!rtxPacket) return Resend::kMiss;
    sent =
        peer_.pacer.Send(PacedSender::Kind::kRtx, rtxScratch, rtxSize, SendTimeFieldsOf(*rtxPacket), nowUs);
  }
  if (!sent) return Resend::kMiss;
  retransmitter_.Resent(outputSequence, nowUs);
  return Resend::kSent;
}

// RFC 4588 section 4: the RTX packet of `copy` (already in the subscriber's numbering and extension
// ids): our RTX payload type, SSRC and sequence, the original's timestamp and marker, its header
// extensions with our MID added when the original had none (libwebrtc senders put the MID only on a
// stream's first packets), and the original sequence number ahead of the payload. The MID matters to
// Firefox: its BUNDLE filter passes a packet without a MID only from an SSRC it has seen with one, so
// RTX without a MID was dropped there and it NACKed the same packets again and again.
size_t SendStream::BuildRtx(const RtpPacket& copy, std::span<uint8_t> out) const {
  webrtc::rtp::RtpPacketBuilder b;
  b.SetPayloadType(static_cast<uint8_t>(rtxPayloadType_))
      .SetSsrc(rtxSsrc_)
      .SetSequenceNumber(rtxSequence_)
      .SetTimestamp(copy.Timestamp())
      .SetMarker(copy.Marker());
  const uint8_t midId = peer_.extensions.mid;
  bool ok = midId == 0 || b.AddMid(midId, mid_);
  copy.ForEachExtension([&](uint8_t id, std::span<const uint8_t> value) {
    if (id != 0 && id != midId) ok = ok && b.AddExtension(id, value);
  });
  const std::span<const uint8_t> payload = copy.Payload();
  const size_t headerSize = b.SizeFor(0);
  const size_t size = headerSize + webrtc::rtp::Rtx::kOsnSize + payload.size();
  if (!ok || size > out.size() || b.Build({}, out) != headerSize) return 0;
  WriteU16(out.data() + headerSize, copy.SequenceNumber());
  std::memcpy(out.data() + headerSize + webrtc::rtp::Rtx::kOsnSize, payload.data(), payload.size());
  return size;
}

bool SendStream::CanPad() const {
  return Ready() && rtxPayloadType_ >= 0 && rtxSsrc_ != 0 && lastSentUs_ != 0 &&
         peer_.extensions.transportWideCc != 0;
}

size_t SendStream::SendPadding(uint8_t paddingBytes, int probeClusterId, int64_t nowUs,
                               std::span<uint8_t> scratch) {
  if (paddingBytes == 0 || !CanPad()) return 0;
  webrtc::rtp::RtpPacketBuilder b;
  b.SetPayloadType(static_cast<uint8_t>(rtxPayloadType_))
      .SetSsrc(rtxSsrc_)
      .SetSequenceNumber(rtxSequence_)
      .SetTimestamp(rewriter_.HighestTimestamp())
      .SetPadding(paddingBytes);
  // No MID: the RTX SSRC is signaled (a=ssrc-group:FID), and Firefox binds a mid to whatever SSRC last
  // carried its MID, so padding with one took the stream away from the video (nothing decoded).
  if (peer_.extensions.absSendTime != 0)
    b.AddAbsSendTime(peer_.extensions.absSendTime, ExtensionTranslator::AbsSendTime(nowUs));
  webrtc::rtp::RtpPacketBuilder sized = b;  // the size with the element, for the estimator's record
  sized.AddTransportSequenceNumber(peer_.extensions.transportWideCc, 0);
  const size_t size = sized.SizeFor(0);
  if (size + webrtc::srtp::kSrtpMaxTrailerLength > scratch.size()) return 0;
  b.AddTransportSequenceNumber(peer_.extensions.transportWideCc,
                               peer_.NextTransportSequence(size, nowUs, probeClusterId));
  if (b.Build({}, scratch) != size) return 0;
  ++rtxSequence_;
  return peer_.Transport().SendRtp(scratch, size) ? size : 0;
}

bool SendStream::MakeSenderReport(uint64_t ntpNow, int64_t nowUs, webrtc::rtcp::SenderReport& sr) const {
  if (lastSentUs_ == 0) return false;
  sr.senderSsrc = ssrc_;
  sr.ntpTimestamp = ntpNow;
  // The anchor frame's timestamp advanced at 90 kHz from its arrival to now (RFC 3550 section 6.4.1:
  // the same time as the NTP timestamp, here the arrival clock of the media).
  sr.rtpTimestamp = anchorTimestamp_ + static_cast<uint32_t>((nowUs - anchorArrivalUs_) * 90 / 1000);
  sr.packetCount = rewriter_.PacketsSent();
  sr.octetCount = rewriter_.OctetsSent();
  return true;
}

}  // namespace medicall::media::router
