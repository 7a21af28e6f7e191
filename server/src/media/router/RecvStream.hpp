#pragma once
// One RTP stream a publisher sends us: its camera's single encoding, or one simulcast layer (RFC 8853,
// told apart by its RID, RFC 8852). It owns everything about receiving that stream:
//  - which SSRC is it (declared in the offer, learned from the first packet or from the RID extension)
//    and its RTX SSRC (declared, learned from the repaired-RID extension or the first RTX packet);
//  - sequence tracking (RFC 3550 appendix A.1, SequenceTracker), the duplicate filter and the NACK
//    generator (RFC 4585 generic NACK towards the publisher, answered with RTX, RFC 4588);
//  - the packet cache the subscribers' NACKs are answered from;
//  - the keyframe request manager (PLI, RFC 4585 section 6.3.1, at most one per kKeyframeIntervalMs);
//  - reception statistics for our receiver reports (StreamReceiveStats), the received bitrate, frame
//    rate and picture size (from key frames) that INDEX and BITRATES announce.
// Packets on another SSRC are not this stream's: AcceptMediaSsrc refuses them (counted), except that a
// silent stream may re-adopt a new SSRC (a sender that restarted) after kSilenceBeforeReadoptMs, at
// most once per kReadoptIntervalMs. Worker thread only; no allocation on the packet path.
#include <array>
#include <bitset>
#include <cstdint>
#include <span>
#include <string>

#include "media/router/StreamReceiveStats.hpp"
#include "webrtc/rtcp/ReportBlock.hpp"
#include "webrtc/rtp/KeyframeDetector.hpp"
#include "webrtc/rtp/KeyframeRequestThrottle.hpp"
#include "webrtc/rtp/RtpPacketCache.hpp"
#include "webrtc/rtp/SequenceTracker.hpp"

namespace medicall::media::router {

struct RouterContext;

// Where a stream's feedback to its publisher goes: the publisher's transport, from our SSRC
// (RouterPeer implements it; a fuzzer or a test can stand in for it without the socket layer).
class FeedbackTarget {
 public:
  virtual ~FeedbackTarget() = default;
  virtual uint32_t FeedbackSenderSsrc() const = 0;
  virtual bool FeedbackConnected() const = 0;
  virtual bool SendFeedbackRtcp(std::span<uint8_t> buffer, size_t length) = 0;
};

class RecvStream {
 public:
  static constexpr size_t kCachePackets = 512;          // about 3 s of 1.5 Mbit/s video
  static constexpr int64_t kKeyframeIntervalMs = 1000;  // PLIs to the publisher: one per second
  static constexpr int64_t kSilenceBeforeReadoptMs = 2000;
  static constexpr int64_t kReadoptIntervalMs = 5000;
  static constexpr int64_t kLiveMs = 2000;  // a stream without a packet this long is not live

  // owner: the publishing attendee (feedback goes to its transport). rid: empty without simulcast.
  RecvStream(FeedbackTarget& owner, RouterContext& context, std::string rid);
  RecvStream(const RecvStream&) = delete;
  RecvStream& operator=(const RecvStream&) = delete;

  const std::string& Rid() const { return rid_; }
  // From the offer and our answer: the declared SSRCs (0 = learn them), payload types and codec.
  void SetStream(uint32_t mediaSsrc, uint32_t rtxSsrc, uint8_t payloadType, int rtxPayloadType,
                 webrtc::rtp::VideoCodec codec, int64_t nowMs);
  // A media packet arrived on `ssrc`: true when it is this stream's (see above), false when refused.
  bool AcceptMediaSsrc(uint32_t ssrc, int64_t nowMs);
  // An RTX packet arrived on `ssrc`: true when it repairs this stream.
  bool AcceptRtxSsrc(uint32_t ssrc);
  // `ssrc` is this stream's RTX stream (the repaired-RID extension said so).
  void LearnRtxSsrc(uint32_t ssrc) { rtxSsrc_ = ssrc; }
  uint32_t MediaSsrc() const { return mediaSsrc_; }
  uint32_t RtxSsrc() const { return rtxSsrc_; }
  uint8_t PayloadType() const { return payloadType_; }
  int RtxPayloadType() const { return rtxPayloadType_; }  // -1: none
  // The codec of the last packet stored (before any: the answer's first).
  webrtc::rtp::VideoCodec Codec() const { return codec_; }
  uint64_t ForeignSsrcPackets() const { return foreignSsrcPackets_; }
  uint64_t Readoptions() const { return readoptions_; }

  // A media packet of this stream arrived (retransmitted: recovered from RTX): sequence check, loss
  // tracking for NACKs, statistics, cache. False when it was already received (a duplicate).
  bool OnPacket(uint16_t sequenceNumber, uint32_t rtpTimestamp, int64_t nowMs, bool retransmitted);
  // After OnPacket accepted it: stores the packet, counts its octets, frames and key frames.
  // codec: the packet's (its payload type's), for the key frame's picture size.
  void Store(uint16_t sequenceNumber, std::span<const uint8_t> packet, uint32_t rtpTimestamp,
             std::span<const uint8_t> payload, webrtc::rtp::VideoCodec codec, bool keyframe, int64_t nowMs);
  // The missing sequence numbers to NACK now (each at most kMaxNackTries times, kNackRetryMs apart,
  // forgotten after kMissingMaxAgeMs). Returns how many were written to out.
  size_t CollectNacks(int64_t nowMs, std::span<uint16_t> out);
  size_t MissingCount() const;

  // Feedback to the publisher: NACKs for what is missing and a PLI when one is due.
  void SendFeedback(int64_t nowMs);
  // A subscriber needs a key frame: a PLI now if none went out within the interval, else when due.
  void RequestKeyframe(int64_t nowMs);
  // The publisher's sender report about this stream (for our receiver reports' LSR/DLSR).
  void ReceiveSenderReport(uint64_t ntpTimestamp, int64_t nowMs) {
    stats_.OnSenderReport(ntpTimestamp, nowMs);
  }
  bool HasReport() const { return mediaSsrc_ != 0 && stats_.HasData(); }
  webrtc::rtcp::ReportBlock MakeReportBlock(int64_t nowMs) {
    return stats_.MakeReportBlock(mediaSsrc_, nowMs);
  }

  webrtc::rtp::RtpPacketCache& Cache() { return cache_; }
  const webrtc::rtp::KeyframeRequestThrottle& Keyframes() const { return keyframes_; }
  StreamReceiveStats& Stats() { return stats_; }
  uint64_t KeyframesSeen() const { return keyframesSeen_; }

  // Measured over the report interval (CloseInterval): bits per second and frames per second.
  void CloseInterval(int64_t elapsedMs);
  uint32_t AvgBitrateBps() const { return avgBitrateBps_; }
  uint32_t Framerate() const { return framerate_; }
  uint16_t Width() const { return width_; }
  uint16_t Height() const { return height_; }
  // A packet arrived within kLiveMs.
  bool Live(int64_t nowMs) const { return lastPacketMs_ != 0 && nowMs - lastPacketMs_ <= kLiveMs; }
  int64_t LastPacketMs() const { return lastPacketMs_; }  // 0 before the first
  int64_t LiveSinceMs() const { return liveSinceMs_; }    // its first packet after a silence (0: none)

 private:
  void Adopt(uint32_t mediaSsrc, int64_t nowMs);
  bool SendPli();

  FeedbackTarget& owner_;
  RouterContext& context_;
  std::string rid_;
  uint32_t mediaSsrc_ = 0;
  uint32_t rtxSsrc_ = 0;
  uint32_t declaredRtxSsrc_ = 0;
  uint8_t payloadType_ = 0;
  int rtxPayloadType_ = -1;
  webrtc::rtp::VideoCodec codec_ = webrtc::rtp::VideoCodec::kVp8;
  int64_t lastMediaMs_ = 0;
  int64_t lastAdoptMs_ = 0;
  int64_t lastPacketMs_ = 0;
  int64_t liveSinceMs_ = 0;
  uint64_t foreignSsrcPackets_ = 0;
  uint64_t readoptions_ = 0;
  webrtc::rtp::RtpPacketCache cache_{kCachePackets};
  webrtc::rtp::KeyframeRequestThrottle keyframes_{kKeyframeIntervalMs};
  StreamReceiveStats stats_{90000};
  struct Missing {
    uint16_t seq = 0;
    bool used = false;
    uint8_t tries = 0;
    int64_t sinceMs = 0;
    int64_t lastNackMs = 0;
  };
  static constexpr size_t kMaxMissing = 64;
  static constexpr uint8_t kMaxNackTries = 3;
  static constexpr int64_t kNackRetryMs = 100;
  static constexpr int64_t kMissingMaxAgeMs = 1000;
  static constexpr int32_t kMaxGap = 100;  // a larger gap is not repaired
  std::array<Missing, kMaxMissing> missing_{};
  size_t nextMissing_ = 0;
  std::array<uint16_t, kMaxMissing> nackList_{};
  // Late packets count as such this far back (what the cache can tell apart); further is a jump.
  webrtc::rtp::SequenceTracker sequence_{webrtc::rtp::SequenceTracker::kDefaultMaxDropout,
                                         static_cast<int32_t>(kCachePackets)};
  // Which numbers of the window behind the highest were received (bit: number mod kReceivedWindow),
  // to tell a late packet from a duplicate. Wider than the late window, so its numbers never share a bit.
  static constexpr size_t kReceivedWindow = 2 * kCachePackets;
  std::bitset<kReceivedWindow> received_;
  uint64_t keyframesSeen_ = 0;
  uint64_t octets_ = 0;
  uint32_t frames_ = 0;
  uint32_t lastFrameTimestamp_ = 0;
  bool anyFrame_ = false;
  uint32_t avgBitrateBps_ = 0;
  uint32_t framerate_ = 0;
  uint16_t width_ = 0, height_ = 0;
};

}  // namespace medicall::media::router
