#pragma once
// One attendee's published camera (its video send section): the group id INDEX announces and its
// layers, one RecvStream each. Without simulcast there is one layer (rid ""); with simulcast (the SDK's
// a=simulcast:send low;mid;hi, chime-protocol-2.md section 3) one per rid in the offered order, each
// with its own stream id (SUBSCRIBE_ACK allocates them in that order), max bitrate (from SUBSCRIBE's
// send_streams, 0 = the sender disabled it), cache and statistics.
//
// Demultiplexing (Resolve*): a packet's SSRC names its layer once learned; until then the RID header
// extension (RFC 8852 rtp-stream-id, repaired-rtp-stream-id on RTX) does. Packets on an SSRC that is no
// negotiated layer are dropped and counted by the layer that refused them, so interleaved SSRCs never
// reach the subscribers' rewriters. The subscriptions fed from the camera are listed here (not owned).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "media/router/RecvStream.hpp"
#include "media/router/VideoPayloads.hpp"

namespace medicall::media::router {

class RouterPeer;
class Subscription;
struct RouterContext;

class Publisher {
 public:
  // Kept here for the tests and callers that speak of the publisher.
  static constexpr int64_t kKeyframeIntervalMs = RecvStream::kKeyframeIntervalMs;
  static constexpr int64_t kSilenceBeforeReadoptMs = RecvStream::kSilenceBeforeReadoptMs;
  static constexpr int64_t kReadoptIntervalMs = RecvStream::kReadoptIntervalMs;

  struct Layer {
    uint32_t streamId = 0;
    uint32_t maxBitrateKbps = 0;
    std::unique_ptr<RecvStream> stream;
  };

  Publisher(RouterPeer& owner, RouterContext& context, uint32_t groupId);
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  RouterPeer& Owner() const { return owner_; }
  uint32_t GroupId() const { return groupId_; }

  // The layers of the current offer: rids in order (one empty rid without simulcast). Layers whose rid
  // stays keep their stream id and state; new ones get ids from nextStreamId. Returns true when the
  // set of stream ids changed.
  bool SetLayers(const std::vector<std::string>& rids, uint32_t& nextStreamId);
  // Max bitrate per layer from SUBSCRIBE's video send_streams (in rid order; missing entries keep
  // `fallbackKbps` for the first layer and 0 for the others).
  void SetMaxBitrates(const std::vector<uint32_t>& kbps, uint32_t fallbackKbps);
  size_t LayerCount() const { return layers_.size(); }
  Layer& LayerAt(size_t i) { return layers_[i]; }
  const Layer& LayerAt(size_t i) const { return layers_[i]; }
  bool Simulcast() const {
    return layers_.size() > 1 || (!layers_.empty() && !layers_[0].stream->Rid().empty());
  }
  // The bitrate to plan layer i with: what it measured over the last second, or, while it is young
  // (live for less than kYoungLayerMs: its encoder is still ramping up) or unmeasured, at least the
  // sender's maximum for it (SUBSCRIBE), so a layer that has just started is not taken to fit a path
  // it will overrun a second later.
  static constexpr int64_t kYoungLayerMs = 5000;
  uint64_t LayerDemandBps(size_t i, int64_t nowMs) const;
  // The layer with `streamId`, or -1.
  int LayerOfStream(uint32_t streamId) const;
  // The first layer's stream id (the publisher's id without simulcast).
  uint32_t StreamId() const { return layers_.empty() ? 0 : layers_[0].streamId; }
  uint32_t MaxBitrateKbps() const;  // of all layers together

  // From the offer and our answer (applies to every layer; mediaSsrc/rtxSsrc only without simulcast):
  // every codec the answer holds, each on its payload type (a packet's codec is its payload type's).
  void SetStream(uint32_t mediaSsrc, uint32_t rtxSsrc, const VideoPayloads& payloads, int64_t nowMs);
  const VideoPayloads& Payloads() const { return payloads_; }
  bool Receiving() const { return !payloads_.Empty() && !layers_.empty(); }

  // The layer a media packet belongs to (rid: its RID extension, if any), or -1 (dropped, counted).
  int ResolveMedia(uint32_t ssrc, std::optional<std::string_view> rid, int64_t nowMs);
  // The layer an RTX packet repairs (repairedRid: its repaired-RID extension, if any), or -1.
  int ResolveRtx(uint32_t ssrc, std::optional<std::string_view> repairedRid);
  // Packets dropped because no layer took their SSRC; re-adoptions of all layers.
  uint64_t ForeignSsrcPackets() const;
  uint64_t Readoptions() const;

  void Attach(Subscription& subscription);
  void Detach(Subscription& subscription);
  const std::vector<Subscription*>& Subscribers() const { return subscribers_; }

 private:
  int LayerOfRid(std::string_view rid) const;

  RouterPeer& owner_;
  RouterContext& context_;
  uint32_t groupId_;
  VideoPayloads payloads_;
  uint64_t unresolved_ = 0;
  std::vector<Layer> layers_;
  std::vector<Subscription*> subscribers_;
};

}  // namespace medicall::media::router
