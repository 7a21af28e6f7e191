#include "media/router/Publisher.hpp"

#include "media/router/RouterPeer.hpp"

#include <algorithm>

namespace medicall::media::router {

Publisher::Publisher(RouterPeer& owner, RouterContext& context, uint32_t groupId)
    : owner_(owner), context_(context), groupId_(groupId) {
  subscribers_.reserve(16);
}

bool Publisher::SetLayers(const std::vector<std::string>& rids, uint32_t& nextStreamId) {
  std::vector<std::string> wanted = rids.empty() ? std::vector<std::string>{std::string()} : rids;
  bool same = wanted.size() == layers_.size();
  for (size_t i = 0; same && i < wanted.size(); ++i) same = layers_[i].stream->Rid() == wanted[i];
  if (same) return false;
  std::vector<Layer> next;
  next.reserve(wanted.size());
  for (const std::string& rid : wanted) {
    auto it = std::find_if(layers_.begin(), layers_.end(),
                           [&](const Layer& l) { return l.stream && l.stream->Rid() == rid; });
    if (it != layers_.end()) {
      next.push_back(std::move(*it));
    } else {
      next.push_back(Layer{nextStreamId++, 0, std::make_unique<RecvStream>(owner_, context_, rid)});
    }
  }
  layers_ = std::move(next);
  return true;
}

void Publisher::SetMaxBitrates(const std::vector<uint32_t>& kbps, uint32_t fallbackKbps) {
  for (size_t i = 0; i < layers_.size(); ++i) {
    layers_[i].maxBitrateKbps = i < kbps.size() ? kbps[i] : (i == 0 ? fallbackKbps : 0);
  }
  // Without simulcast the one layer is the camera: a 0 there means "unspecified", not "disabled".
  if (layers_.size() == 1 && layers_[0].maxBitrateKbps == 0) layers_[0].maxBitrateKbps = fallbackKbps;
}

uint64_t Publisher::LayerDemandBps(size_t i, int64_t nowMs) const {
  const Layer& l = layers_[i];
  const uint64_t measured = l.stream->AvgBitrateBps();
  const uint64_t maximum = uint64_t{l.maxBitrateKbps} * 1000;
  const bool young = l.stream->LiveSinceMs() == 0 || nowMs - l.stream->LiveSinceMs() < kYoungLayerMs;
  return measured == 0 || young ? std::max(measured, maximum) : measured;
}

int Publisher::LayerOfStream(uint32_t streamId) const {
  for (size_t i = 0; i < layers_.size(); ++i) {
    if (layers_[i].streamId == streamId) return static_cast<int>(i);
  }
  return -1;
}

int Publisher::LayerOfRid(std::string_view rid) const {
  for (size_t i = 0; i < layers_.size(); ++i) {
    if (layers_[i].stream->Rid() == rid) return static_cast<int>(i);
  }
  return -1;
}

uint32_t Publisher::MaxBitrateKbps() const {
  uint32_t sum = 0;
  for (const Layer& l : layers_) sum += l.maxBitrateKbps;
  return sum;
}

void Publisher::SetStream(uint32_t mediaSsrc, uint32_t rtxSsrc, const VideoPayloads& payloads,
                          int64_t nowMs) {
  payloads_ = payloads;
  const VideoPayload first = payloads.Primary() != nullptr ? *payloads.Primary() : VideoPayload{};
  const bool simulcast = Simulcast();
  for (Layer& l : layers_) {
    l.stream->SetStream(simulcast ? 0 : mediaSsrc, simulcast ? 0 : rtxSsrc, first.payloadType,
                        first.rtxPayloadType, first.codec, nowMs);
  }
}

int Publisher::ResolveMedia(uint32_t ssrc, std::optional<std::string_view> rid, int64_t nowMs) {
  if (!Simulcast()) return layers_[0].stream->AcceptMediaSsrc(ssrc, nowMs) ? 0 : -1;
  for (size_t i = 0; i < layers_.size(); ++i) {
    if (layers_[i].stream->MediaSsrc() == ssrc)
      return layers_[i].stream->AcceptMediaSsrc(ssrc, nowMs) ? static_cast<int>(i) : -1;
  }
  const int layer = rid ? LayerOfRid(*rid) : -1;
  if (layer < 0) {
    ++unresolved_;  // no RID, or one we did not negotiate: not a layer we forward
    return -1;
  }
  return layers_[static_cast<size_t>(layer)].stream->AcceptMediaSsrc(ssrc, nowMs) ? layer : -1;
}

int Publisher::ResolveRtx(uint32_t ssrc, std::optional<std::string_view> repairedRid) {
  if (!Simulcast()) return layers_[0].stream->AcceptRtxSsrc(ssrc) ? 0 : -1;
  for (size_t i = 0; i < layers_.size(); ++i) {
    if (layers_[i].stream->RtxSsrc() == ssrc) return static_cast<int>(i);
  }
  const int layer = repairedRid ? LayerOfRid(*repairedRid) : -1;
  if (layer < 0 || layers_[static_cast<size_t>(layer)].stream->MediaSsrc() == 0) return -1;
  layers_[static_cast<size_t>(layer)].stream->LearnRtxSsrc(ssrc);
  return layer;
}

uint64_t Publisher::ForeignSsrcPackets() const {
  uint64_t n = unresolved_;
  for (const Layer& l : layers_) n += l.stream->ForeignSsrcPackets();
  return n;
}

uint64_t Publisher::Readoptions() const {
  uint64_t n = 0;
  for (const Layer& l : layers_) n += l.stream->Readoptions();
  return n;
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
