#include "media/router/Subscription.hpp"

#include <algorithm>
#include <array>

#include "common/Logger.hpp"
#include "media/router/Publisher.hpp"
#include "media/router/RouterPeer.hpp"

namespace medicall::media::router {

Subscription::Subscription(RouterPeer& peer, std::string mid, uint32_t ssrc, uint32_t rtxSsrc)
    : peer_(peer), mid_(std::move(mid)), label_("v_" + mid_), send_(peer, mid_, ssrc, rtxSsrc) {}

Subscription::~Subscription() {
  if (source_ != nullptr) source_->Detach(*this);
}

bool Subscription::SetSource(Publisher* publisher) {
  return SetSource(publisher, publisher != nullptr ? publisher->StreamId() : 0);
}

bool Subscription::SetSource(Publisher* publisher, uint32_t streamId) {
  streamId_ = publisher != nullptr ? streamId : 0;
  if (publisher == source_) return false;
  if (source_ != nullptr) source_->Detach(*this);
  source_ = publisher;
  if (source_ != nullptr) source_->Attach(*this);
  selector_ = LayerSelector{};
  lastStream_ = nullptr;
  return true;
}

RecvStream* Subscription::UpdateTarget(uint64_t availableBps, int64_t nowMs) {
  if (source_ == nullptr || source_->LayerCount() == 0) return nullptr;
  const int before = selector_.Target();
  const int requested = std::max(0, source_->LayerOfStream(streamId_));
  std::array<LayerSelector::LayerInfo, 8> infos{};
  const size_t n = std::min(infos.size(), source_->LayerCount());
  for (size_t i = 0; i < n; ++i) {
    const RecvStream& s = *source_->LayerAt(i).stream;
    infos[i] = {s.Live(nowMs),
                static_cast<uint32_t>(std::min<uint64_t>(source_->LayerDemandBps(i, nowMs), UINT32_MAX)),
                s.LastPacketMs()};
  }
  const int target = selector_.Select(std::span(infos).first(n), requested, availableBps, nowMs);
  return target != before ? TargetStream() : nullptr;
}

RecvStream* Subscription::TargetStream() const {
  const int layer = selector_.Target();
  if (source_ == nullptr || layer < 0 || static_cast<size_t>(layer) >= source_->LayerCount()) return nullptr;
  return source_->LayerAt(static_cast<size_t>(layer)).stream.get();
}

void Subscription::SetPaused(bool paused) {
  if (paused_ == paused) return;
  paused_ = paused;
  if (!paused_) {
    selector_.Reset();
    send_.Restart();
  }
}

void Subscription::SetPayloads(const VideoPayloads& payloads) {
  payloads_ = payloads;
  const VideoPayload* current = payloads_.ByCodec(codec_);
  if (current == nullptr) {
    codec_ = webrtc::rtp::VideoCodec::kUnknown;  // the next packet starts afresh
    current = payloads_.Primary();
  }
  if (current != nullptr)
    send_.SetPayloadTypes(current->payloadType, current->rtxPayloadType);
  else
    send_.SetPayloadTypes(0, -1);
}

bool Subscription::Forward(const webrtc::rtp::RtpPacket& packet, int layer, webrtc::rtp::VideoCodec codec,
                           bool keyframe, const webrtc::rtp::ExtensionIds& sourceIds, int64_t nowUs,
                           std::span<uint8_t> scratch) {
  if (paused_ || !send_.Ready() || source_ == nullptr) return false;
  if (codec != codec_) {
    const VideoPayload* out = payloads_.ByCodec(codec);
    if (out == nullptr) return false;
    if (codec_ != webrtc::rtp::VideoCodec::kUnknown)
      log::Info("rtp", "router: {} mid {} switches codec, waits for a key frame", peer_.AttendeeId(), mid_);
    codec_ = codec;
    send_.SetPayloadTypes(out->payloadType, out->rtxPayloadType);
    send_.Restart();
    selector_.Reset();
  }
  const int before = selector_.Current();
  if (!selector_.Accept(layer, keyframe)) return false;
  if (selector_.Current() != before)
    log::Info("rtp", "router: {} mid {} forwards layer {} from its key frame", peer_.AttendeeId(), mid_,
              layer);
  RecvStream& stream = *source_->LayerAt(static_cast<size_t>(layer)).stream;
  lastStream_ = &stream;
  return send_.Send(packet, stream, sourceIds, nowUs, scratch);
}

}  // namespace medicall::media::router
