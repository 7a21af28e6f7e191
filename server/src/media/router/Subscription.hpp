#pragma once
// One subscriber m-section (an attendee's recvonly video transceiver, keyed by its mid): which camera
// it shows (a Publisher) and which of its layers (LayerSelector), whether the subscriber paused it
// (SDK pauseVideoTile: PAUSE/RESUME, chime-protocol-2.md section 3.6), and the SendStream that carries
// it. It only decides what to forward; the SendStream does the sending, the NACKs and the reports.
// After every (re)attachment and every resume nothing is forwarded until a key frame.
#include <cstdint>
#include <span>
#include <string>

#include "media/router/LayerSelector.hpp"
#include "media/router/SendStream.hpp"
#include "media/router/VideoPayloads.hpp"
#include "webrtc/rtp/ExtensionIds.hpp"
#include "webrtc/rtp/RtpPacket.hpp"

namespace medicall::media::router {

class Publisher;
class RecvStream;
class RouterPeer;

class Subscription {
 public:
  Subscription(RouterPeer& peer, std::string mid, uint32_t ssrc, uint32_t rtxSsrc);
  ~Subscription();
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;

  RouterPeer& Peer() const { return peer_; }
  const std::string& Mid() const { return mid_; }
  const std::string& TrackLabel() const { return label_; }  // "v_<mid>"
  uint32_t Ssrc() const { return send_.Ssrc(); }
  uint32_t RtxSsrc() const { return send_.RtxSsrc(); }
  SendStream& Send() { return send_; }
  const SendStream& Send() const { return send_; }
  // The codecs of the subscriber's answer for this mid, each on its payload types.
  void SetPayloads(const VideoPayloads& payloads);
  // The subscriber negotiated `codec` on this mid.
  bool Receives(webrtc::rtp::VideoCodec codec) const { return payloads_.ByCodec(codec) != nullptr; }
  // The codec forwarded last (kUnknown: none yet).
  webrtc::rtp::VideoCodec Codec() const { return codec_; }

  Publisher* Source() const { return source_; }
  // The stream id the subscriber asked for (one layer of the source).
  uint32_t StreamId() const { return streamId_; }
  // Shows `streamId` of `publisher` (nullptr: detaches). Returns true when the camera changed (then
  // nothing is forwarded until its key frame). Another layer of the same camera only moves the target.
  bool SetSource(Publisher* publisher, uint32_t streamId);
  bool SetSource(Publisher* publisher);  // its first layer
  // The layer to forward now, from the asked-for one, the layers' state and the bandwidth
  // (LayerSelector::Select). Returns the target's RecvStream when it changed (to ask it for a key
  // frame), else nullptr.
  RecvStream* UpdateTarget(uint64_t availableBps, int64_t nowMs);
  const LayerSelector& Layers() const { return selector_; }
  void SetLayerProbes(bool on) { selector_.SetLayerProbes(on); }
  // The stream forwarded last (its cache answers NACKs), or nullptr.
  RecvStream* CurrentStream() const { return lastStream_; }
  RecvStream* TargetStream() const;

  void WaitForKeyframe() { selector_.Reset(); }
  bool WaitingForKeyframe() const { return selector_.WaitingForKeyframe(); }
  // PAUSE / RESUME from the subscriber: nothing is forwarded while paused; resuming waits for a key frame.
  void SetPaused(bool paused);
  bool Paused() const { return paused_; }
  // The SDK's priority (higher first; 0 = unset) and tile bitrate (bps; 0 = none) for this mid.
  void SetPreference(uint32_t priority, uint64_t targetBps) {
    priority_ = priority;
    targetBps_ = targetBps;
  }
  uint32_t Priority() const { return priority_; }
  uint64_t TargetBps() const { return targetBps_; }

  // A packet of the source's layer `layer` in `codec` (one the subscriber Receives()): forwards it
  // when it is the layer to show. Another codec than the last one (the publisher switched encoders on
  // its SSRC) is forwarded from its first key frame, on its own payload type, as a new segment of the
  // rewriter (a NACK never maps back to the other codec's packets).
  bool Forward(const webrtc::rtp::RtpPacket& packet, int layer, webrtc::rtp::VideoCodec codec, bool keyframe,
               const webrtc::rtp::ExtensionIds& sourceIds, int64_t nowUs, std::span<uint8_t> scratch);

  // Latest receiver estimate (REMB) naming this stream (kept for the tests; the router uses the peer's).
  void OnRemb(uint64_t bitrateBps, int64_t nowMs) {
    rembBps_ = bitrateBps;
    rembAtMs_ = nowMs;
  }
  uint64_t RembBps() const { return rembBps_; }
  int64_t RembAtMs() const { return rembAtMs_; }
  const webrtc::rtp::RtpRewriter& Rewriter() const { return send_.Rewriter(); }
  int64_t LastSentUs() const { return send_.LastSentUs(); }

 private:
  RouterPeer& peer_;
  std::string mid_;
  std::string label_;
  SendStream send_;
  VideoPayloads payloads_;
  webrtc::rtp::VideoCodec codec_ = webrtc::rtp::VideoCodec::kUnknown;
  Publisher* source_ = nullptr;
  uint32_t streamId_ = 0;
  bool paused_ = false;
  uint32_t priority_ = 0;
  uint64_t targetBps_ = 0;
  RecvStream* lastStream_ = nullptr;
  LayerSelector selector_;
  uint64_t rembBps_ = 0;
  int64_t rembAtMs_ = 0;
};

}  // namespace medicall::media::router
