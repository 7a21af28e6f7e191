#pragma once
// The media side of one Chime meeting: a Router on one media worker owns a WebRtcTransport per
// attendee (server role, ICE-lite, registered with the worker's MediaDemuxer), the video SFU
// (publishers and subscribers) and, later, the audio mixer. It knows nothing of signaling frames:
// the signaling bridge (app layer) turns SUBSCRIBE into Subscribe() and back.
//
// Threading: every method is called on the worker thread (the bridge posts); Listener callbacks
// run on the worker thread too.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/Clock.hpp"
#include "common/Config.hpp"
#include "webrtc/rtp/KeyframeDetector.hpp"

namespace medicall::webrtc::transport {
class MediaDemuxer;
}
namespace medicall::webrtc::dtls {
class DtlsCertificate;
}
namespace medicall::webrtc::rtp {
class RtpPacket;
}

namespace medicall::media::router {

// A published video stream (one simulcast layer, or the camera's one stream), as INDEX announces it
// (chime-protocol.md section 3, chime-protocol-2.md section 3.4). A camera's layers share the group id.
struct VideoSource {
  uint32_t streamId = 0;
  uint32_t groupId = 0;  // only grows per attendee
  std::string attendeeId;
  std::string externalUserId;
  uint32_t maxBitrateKbps = 0;
  uint32_t avgBitrateBps = 0;
  uint32_t width = 0, height = 0, framerate = 0;
};

// The SDK's preference for one subscribed mid (SdkVideoSubscriptionConfiguration, sent in SUBSCRIBE and
// REMOTE_VIDEO_UPDATE, chime-protocol-2.md section 3.6): its priority (higher is more important: the SDK
// sends MAX_SAFE_INTEGER - app priority, which a uint32 field carries as 2^32 - 1 - app priority; 0 =
// unset, all equal) and the bitrate its tile size calls for (kbps; 0 = none). The bandwidth toward the
// subscriber goes to the most important streams first (MeetingRouter::AllocateLayers).
struct VideoPreference {
  std::string mid;
  uint32_t priority = 0;
  uint32_t targetBitrateKbps = 0;
};

struct SubscribeParams {
  std::string attendeeId;
  std::string externalUserId;
  std::string sdpOffer;              // plain SDP from the client
  bool sendsVideo = false;           // SUBSCRIBE send_streams has a VIDEO entry
  uint32_t videoMaxBitrateKbps = 0;  // from the first video entry
  // max_bitrate_kbps of every video send stream in order (with simulcast one per rid, low to high;
  // 0 = the SDK's uplink policy disabled that layer).
  std::vector<uint32_t> videoLayerMaxBitrateKbps;
  std::vector<uint32_t> receiveStreamIds;  // one per video m-section in SDP order, 0 = none
  bool audioMuted = false;
  std::vector<VideoPreference> videoPreferences;  // by mid; mids not listed keep theirs
};

struct SubscribeAnswer {
  uint32_t status = 200;  // 4xx: the offer is refused; 5xx: server trouble
  std::string description;
  std::string sdpAnswer;
  struct Track {
    uint32_t streamId = 0;
    uint32_t ssrc = 0;
    std::string trackLabel;  // "v_<mid>"
  };
  std::vector<Track> tracks;
  struct Allocation {
    std::string trackLabel;  // "AmazonChimeExpressVideo"
    uint32_t streamId = 0;
    uint32_t groupId = 0;
  };
  // The attendee's own video send streams, one per video send stream of SUBSCRIBE in the same order
  // (one per simulcast layer, sharing one group id); empty when it sends no video.
  std::vector<Allocation> videoAllocations;
};

// The server's view of one attendee's downlink (what we send it), from the RTCP it sends us as a
// receiver: its report blocks (RFC 3550 section 6.4.1) about each video stream we forward it and about
// the mixed audio, the NACKs and keyframe requests it sent, what we resent, and the bandwidth we
// estimate toward it. A snapshot taken on the worker (Router::DownlinkViews).
struct DownlinkView {
  // A report block is fresh for this long (Chromium reports video every second, audio every 5 s).
  static constexpr int64_t kFreshMs = 10'000;

  struct Stream {
    uint32_t ssrc = 0;  // ours
    bool audio = false;
    double fractionLost = 0;  // 0..1, in its latest report
    int32_t cumulativeLost = 0;
    uint32_t extendedHighestSeq = 0;
    double jitterMs = 0;
    std::optional<double> rttMs;  // latest from LSR/DLSR
    int64_t reportAgeMs = 0;
  };
  std::string attendeeId;
  std::vector<Stream> streams;  // the streams it reported on, fresh or not
  // Over the fresh reports: the worst stream's loss (%) and jitter, and the latest round trip.
  std::optional<double> lossPct;
  std::optional<double> jitterMs;
  std::optional<double> rttMs;
  // Counters since its transport began.
  uint64_t nacksReceived = 0;             // NACK messages about our streams
  uint64_t keyframeRequestsReceived = 0;  // PLIs and FIR entries about our streams
  uint64_t retransmissionsSent = 0;       // packets resent after its NACKs
  // What we can send it: the send-side estimate from its transport-wide feedback (nullopt until some
  // arrived), and its latest REMB (0: none).
  std::optional<uint64_t> estimateBps;
  uint64_t rembBps = 0;
};

class Router {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    // The set of published video sources changed (INDEX must be re-sent).
    virtual void OnSourcesChanged() = 0;
    // The attendee's transport lost ICE consent (or failed): it dropped.
    virtual void OnAttendeeDropped(const std::string& attendeeId) = 0;
    // Every kBitratesIntervalMs, per attendee that receives video: the received bitrate of each
    // source stream it may subscribe to and the bandwidth we see toward it (BITRATES, section 3.5).
    struct StreamBitrate {
      uint32_t streamId = 0;
      uint32_t avgBitrateBps = 0;
    };
    virtual void OnBitrates(const std::string& /*attendeeId*/, const std::vector<StreamBitrate>& /*streams*/,
                            uint32_t /*availableKbps*/) {}
  };

  // Where each attendee's decrypted audio RTP (Opus) goes: the hook of the audio mixer.
  class AudioSink {
   public:
    virtual ~AudioSink() = default;
    // queuedUs: how long the datagram waited in the kernel (UdpSocket); its arrival is now minus that.
    virtual void OnAudioRtp(const std::string& attendeeId, const webrtc::rtp::RtpPacket& packet,
                            int64_t queuedUs) = 0;
  };

  // Forwarding counters of the whole meeting (tests, metrics, benchmarks).
  struct Stats {
    uint64_t videoIn = 0;           // publisher video packets received
    uint64_t forwarded = 0;         // video packets sent to subscribers
    uint64_t paddingPackets = 0;    // RTX padding (and probe padding) toward subscribers
    uint64_t probeClusters = 0;     // probe clusters started toward subscribers (bwe::BitrateProber)
    uint64_t probePackets = 0;      // packets sent as part of them (media and padding)
    uint64_t pacerQueued = 0;       // packets that waited in a subscriber transport's pacer
    uint64_t pacerDropped = 0;      // refused by a full pacer queue
    uint64_t pacerSent = 0;         // left a pacer queue (the rest of pacerQueued still waits)
    uint64_t retransmitted = 0;     // NACKed packets resent (RTX or plain)
    uint64_t nackMisses = 0;        // NACKed packets no longer (or never) in the cache
    uint64_t nackSuppressed = 0;    // NACKed again in one NACK, within one RTT, or too often
    uint64_t nackOverBudget = 0;    // NACKed while the subscriber's RTX budget was spent
    uint64_t keyframeRequests = 0;  // PLIs sent to publishers
    uint64_t keyframeAsks = 0;      // PLIs and FIR entries received from subscribers
    uint64_t upstreamNacks = 0;     // sequence numbers NACKed to publishers (repaired with RTX)
    uint64_t audioIn = 0;           // audio packets handed to the audio sink (or dropped without one)
    uint64_t dropped = 0;           // RTP of no known stream or payload type
    uint64_t foreignSsrc = 0;       // video on another SSRC than the publisher's forwarded one (dropped)
    uint64_t codecMismatch = 0;     // video not sent to a subscriber that did not negotiate its codec

    uint64_t transportFeedbackSent = 0;      // transport-wide feedback packets sent to attendees
    uint64_t transportFeedbackReceived = 0;  // and received from them (about what we sent)
  };

  virtual ~Router() = default;
  // Creates the router of one meeting on the demuxer's worker. `clock` (outlives the router) gives
  // every time the router decides by: throttles, retransmission timing, reports.
  static std::unique_ptr<Router> Create(const Config& config, webrtc::transport::MediaDemuxer& demuxer,
                                        std::shared_ptr<const webrtc::dtls::DtlsCertificate> certificate,
                                        Listener& listener, const Clock& clock = Clock::System());

  // Offer/answer for one attendee. The first call creates the attendee's transport; later calls
  // renegotiate on the same transport (m-sections added, recycled, stopped).
  virtual SubscribeAnswer Subscribe(const SubscribeParams& params) = 0;
  // The attendee left or was removed: its transport, publisher and subscriptions go.
  virtual void RemoveAttendee(const std::string& attendeeId) = 0;
  virtual std::vector<VideoSource> Sources() const = 0;
  // The video codecs every attendee decodes (their offers; VP8 always, first): INDEX
  // supported_receive_codec_intersection (ReceiveCodecs). Listener::OnSourcesChanged when it changes.
  virtual std::vector<webrtc::rtp::VideoCodec> ReceiveCodecIntersection() const = 0;
  virtual void SetAudioMuted(const std::string& attendeeId, bool muted) = 0;
  // Asks the attendee's video publisher for a key frame (a PLI, within the publisher's PLI
  // throttle), e.g. periodically for a content share; false when it publishes no video.
  virtual bool RequestKeyframeFrom(const std::string& attendeeId) = 0;

  // SDK downlink controls (chime-protocol-2.md section 3.6). PAUSE / RESUME: stop / resume forwarding
  // the subscriptions showing one of `streamIds` (any layer of that camera) to this attendee; a resume
  // asks the publisher for a key frame.
  virtual void SetPaused(const std::string& attendeeId, const std::vector<uint32_t>& streamIds,
                         bool paused) = 0;
  // REMOTE_VIDEO_UPDATE: the mid now shows `streamId` (another layer of the same camera: a seamless
  // switch at its next key frame; another camera: as a re-SUBSCRIBE would).
  virtual void UpdateSubscription(const std::string& attendeeId, const std::string& mid,
                                  uint32_t streamId) = 0;
  // The bandwidth an estimator found toward the attendee (bits per second; 0 = none, use its REMB).
  // The layer selection of its subscriptions follows it (LayerSelector::Select).
  virtual void SetTargetBitrate(const std::string& attendeeId, uint64_t bps) = 0;
  // REMOTE_VIDEO_UPDATE's priority and target bitrate for a mid (unknown mids are ignored).
  virtual void SetVideoPreference(const std::string& attendeeId, const VideoPreference& preference) = 0;

  // Audio: the sink (not owned; nullptr = drop) receives every attendee's Opus packets. What goes back
  // is built by the mixer (MeetingAudio numbers its packets; one numbering owner per SSRC) and sent
  // with SendRtpTo.
  virtual void SetAudioSink(AudioSink* sink) = 0;
  virtual Stats GetStats() const = 0;

  // What the answer negotiated for an attendee's audio, for the mixer that builds its packets.
  struct AudioParams {
    uint32_t ssrc = 0;           // ours, in the answer's audio section
    uint8_t payloadType = 0;     // Opus
    uint8_t midExtensionId = 0;  // 0: not negotiated
    uint8_t audioLevelExtensionId = 0;
    std::string mid;
  };
  virtual std::optional<AudioParams> GetAudioParams(const std::string& attendeeId) const = 0;
  // Encrypts and sends a complete RTP / RTCP packet to the attendee (buffer[0, length), with room for
  // the SRTP trailer after it). False when the attendee is unknown or not connected.
  virtual bool SendRtpTo(const std::string& attendeeId, std::span<uint8_t> buffer, size_t length) = 0;
  virtual bool SendRtcpTo(const std::string& attendeeId, std::span<uint8_t> buffer, size_t length) = 0;
  // What we estimate we can send the attendee (bit/s), from its transport-wide feedback about the
  // packets we forward to it (media/bwe/SendSideEstimator); nullopt until feedback arrived. The same
  // estimate is what the layer targets and BITRATES' server_available_outgoing_bitrate use (through
  // RouterPeer::AvailableBitrateBps, which prefers it to REMB).
  virtual std::optional<uint64_t> AvailableOutgoingBitrate(const std::string& attendeeId) const = 0;
  // Every attendee's downlink as the server sees it (for the call-quality samples), on the worker.
  virtual std::vector<DownlinkView> DownlinkViews() const = 0;
};

}  // namespace medicall::media::router
