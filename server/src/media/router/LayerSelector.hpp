#pragma once
// Which simulcast layer of a publisher one subscription forwards, and when it may switch.
//
// Select() picks the target layer: the one the subscriber asked for (its SUBSCRIBE or
// REMOTE_VIDEO_UPDATE stream id), or the nearest live one when that layer is not being sent (a layer
// silent for kStalledMs while another layer of the camera still sends counts as not sent: the layers
// share one capture clock, and a sender pauses its top layer at once when its estimate falls, so the
// subscriber gets the lower layer within about half a second rather than after RecvStream::kLiveMs), then
// lower while the layer's bitrate exceeds the bandwidth available for this stream. A downgrade for
// bandwidth is held for a while (kHoldMs, doubled on each repeat up to kMaxHoldMs), then the asked-for
// layer is tried again for kProbeMs whatever the estimate says: the estimate of a receiver only sees what it
// is sent, so without such a probe a stream that went down once would stay down.
//
// THE INPUT FOR A BANDWIDTH ESTIMATOR: `availableBps` is the one number Select() takes. The router
// feeds it from Router::SetTargetBitrate(attendee, bps) (e.g. a send-side GCC over transport-cc),
// shared across the attendee's video streams in proportion to what each asks for
// (MeetingRouter::AllocateLayers); 0 = unknown, which never limits. Chromium's REMB is not used here:
// it read 200-300 kbit/s while receiving over 2 Mbit/s on clean loopback (see RouterPeer).
//
// Accept() is the switch itself, per packet: the current layer is forwarded until a key frame of the
// target layer arrives; from that packet on the target is current (RtpRewriter keeps the output's
// sequence numbers and timestamps continuous across the change of source SSRC). Until the first key
// frame nothing is forwarded. Plain value type: no clock of its own, no allocation.
#include <cstdint>
#include <span>

namespace medicall::media::router {

class LayerSelector {
 public:
  static constexpr int64_t kHoldMs = 8000;
  static constexpr int64_t kMaxHoldMs = 64000;
  static constexpr int64_t kCalmMs = 30000;   // a downgrade within this of the last one holds twice as long
  static constexpr int64_t kProbeMs = 4000;   // after a hold, the asked-for layer is sent this long
  static constexpr int64_t kStalledMs = 500;  // behind another layer's last packet: paused

  struct LayerInfo {
    bool live = false;
    uint32_t bitrateBps = 0;   // measured; 0 = not known yet (never too much)
    int64_t lastPacketMs = 0;  // 0 = not known (never stalled)
  };

  // The target for `requested` (a layer index) at nowMs given the layers' state and the bandwidth
  // available to this stream (0 = unknown). Sets and returns it.
  int Select(std::span<const LayerInfo> layers, int requested, uint64_t availableBps, int64_t nowMs);
  // Off: when a hold ends the asked-for layer is not sent on trial; it comes back once the bandwidth
  // says it fits (the router pads toward its own estimate to find out). On by default.
  void SetLayerProbes(bool on) { layerProbes_ = on; }
  // Sets the target directly (no bandwidth rule), e.g. without simulcast.
  void SetTarget(int layer) { target_ = layer; }
  int Target() const { return target_; }
  int Current() const { return current_; }
  // Forget the current layer: nothing is forwarded until a key frame of the target (a new source, a
  // resumed stream, a reconnected transport).
  void Reset() { current_ = -1; }
  bool WaitingForKeyframe() const { return current_ < 0 || current_ != target_; }
  // A packet of `layer` (keyframe: it starts a key frame): true when it is to be forwarded.
  bool Accept(int layer, bool keyframe) {
    if (layer == target_ && keyframe) current_ = target_;
    return layer == current_;
  }
  uint64_t Switches() const { return switches_; }

 private:
  int target_ = 0;
  int current_ = -1;
  int64_t heldUntilMs_ = 0;  // a bandwidth downgrade stays at least until then
  int64_t lastDowngradeMs_ = 0;
  int64_t holdMs_ = kHoldMs;
  int heldLayer_ = -1;
  int64_t probeUntilMs_ = 0;
  bool layerProbes_ = true;
  uint64_t switches_ = 0;
};

}  // namespace medicall::media::router
