#pragma once
// One attendee's published video stream (its camera send section): the stream and group ids that
// INDEX announces, the SSRCs and payload types its offer declared, the packet cache that answers the
// subscribers' NACKs, the keyframe request throttle and the reception statistics for its receiver
// reports. The subscriptions currently fed from it are listed here (not owned).
//
// One media SSRC is forwarded: the one the offer declared (a=ssrc / a=ssrc-group:FID), or, without
// one, the first one seen. Packets on any other SSRC (another simulcast encoding, a stray stream) are
// dropped and counted, so interleaved SSRCs never reach the subscribers' rewriters. Only when the
// forwarded SSRC has been silent for kSilenceBeforeReadoptMs may another one take its place (a sender
// that restarted its stream), and at most once per kReadoptIntervalMs.
#include <array>
#include <bitset>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "media/router/StreamReceiveStats.hpp"
#include "webrtc/rtp/KeyframeDetector.hpp"
#include "webrtc/rtp/KeyframeRequestThrottle.hpp"
#include "webrtc/rtp/RtpPacketCache.hpp"
#include "webrtc/rtp/SequenceTracker.hpp"

namespace medicall::media::router {

class RouterPeer;
class Subscription;

class Publisher {
 public:
  static constexpr size_t kCachePackets = 512;          // about 3 s of 1.5 Mbit/s video
  static constexpr int64_t kKeyframeIntervalMs = 1000;  // PLIs forwarded to the publisher: one per second
  static constexpr int64_t kSilenceBeforeReadoptMs = 2000;
  static constexpr int64_t kReadoptIntervalMs = 5000;

  Publisher(RouterPeer& owner, uint32_t streamId, uint32_t groupId, uint32_t maxBitrateKbps);
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  RouterPeer& Owner() const { return owner_; }
  uint32_t StreamId() const { return streamId_; }
  uint32_t GroupId() const { return groupId_; }
  uint32_t MaxBitrateKbps() const { return maxBitrateKbps_; }
  void SetMaxBitrateKbps(uint32_t kbps) { maxBitrateKbps_ = kbps; }

  // From the attendee's offer and our answer: the media and RTX SSRCs (0 = learn from the first
  // packet), the payload types of the send section and its codec, at nowMs.
  void SetStream(uint32_t mediaSsrc, uint32_t rtxSsrc, uint8_t payloadType, int rtxPayloadType,
                 webrtc::rtp::VideoCodec codec, int64_t nowMs);
  // A media packet (our payload type) arrived on `ssrc` at nowMs: true when it is to be forwarded (the
  // forwarded SSRC, learned or re-adopted as described above), false when dropped (counted).
  bool AcceptMediaSsrc(uint32_t ssrc, int64_t nowMs);
  // An RTX packet arrived on `ssrc`: true when it repairs the forwarded stream (the declared RTX SSRC,
  // or the first one seen when none was declared).
  bool AcceptRtxSsrc(uint32_t ssrc);
  uint32_t MediaSsrc() const { return mediaSsrc_; }
  uint32_t RtxSsrc() const { return rtxSsrc_; }
  uint8_t PayloadType() const { return payloadType_; }
  int RtxPayloadType() const { return rtxPayloadType_; }  // -1: none
  webrtc::rtp::VideoCodec Codec() const { return codec_; }
  bool IsKeyframe(std::span<const uint8_t> payload) const {
    return webrtc::rtp::KeyframeDetector::IsKeyframe(codec_, payload);
  }
  bool Receiving() const { return payloadType_ != 0; }
  // Packets dropped because they came on another SSRC than the forwarded one; re-adoptions.
  uint64_t ForeignSsrcPackets() const { return foreignSsrcPackets_; }
  uint64_t Readoptions() const { return readoptions_; }

  void Attach(Subscription& subscription);
  void Detach(Subscription& subscription);
  const std::vector<Subscription*>& Subscribers() const { return subscribers_; }

  webrtc::rtp::RtpPacketCache& Cache() { return cache_; }
  webrtc::rtp::KeyframeRequestThrottle& Keyframes() { return keyframes_; }
  StreamReceiveStats& Stats() { return stats_; }
  // Upstream loss repair (RFC 4585 generic NACK towards the publisher, answered with RTX, RFC 4588).
  // A media packet of the forwarded SSRC arrived (retransmitted: recovered from RTX): checks its
  // sequence number (RFC 3550 A.1 with probation, SequenceTracker), records the numbers skipped since
  // the highest one as missing, updates the receive statistics (no jitter sample from retransmissions)
  // and returns false when this packet was already received (a duplicate, e.g. a late RTX).
  bool OnPacket(uint16_t sequenceNumber, uint32_t rtpTimestamp, int64_t nowMs, bool retransmitted);
  // The missing sequence numbers to NACK now (each at most kMaxNackTries times, kNackRetryMs apart,
  // forgotten after kMissingMaxAgeMs). Returns how many were written to out.
  size_t CollectNacks(int64_t nowMs, std::span<uint16_t> out);
  size_t MissingCount() const;
  uint64_t KeyframesSeen() const { return keyframesSeen_; }
  // Received bitrate, measured over the report interval.
  void CountOctets(size_t n) { octets_ += n; }
  void CloseInterval(int64_t elapsedMs) {
    if (elapsedMs > 0)
      avgBitrateBps_ = static_cast<uint32_t>(octets_ * 8000 / static_cast<uint64_t>(elapsedMs));
    octets_ = 0;
  }
  uint32_t AvgBitrateBps() const { return avgBitrateBps_; }
  void CountKeyframe() { ++keyframesSeen_; }

 private:
  RouterPeer& owner_;
  uint32_t streamId_;
  uint32_t groupId_;
  uint32_t maxBitrateKbps_;
  uint32_t mediaSsrc_ = 0;
  uint32_t rtxSsrc_ = 0;
  uint8_t payloadType_ = 0;
  int rtxPayloadType_ = -1;
  webrtc::rtp::VideoCodec codec_ = webrtc::rtp::VideoCodec::kVp8;
  uint32_t declaredRtxSsrc_ = 0;
  int64_t lastMediaMs_ = 0;
  int64_t lastAdoptMs_ = 0;
  uint64_t foreignSsrcPackets_ = 0;
  uint64_t readoptions_ = 0;
  std::vector<Subscription*> subscribers_;
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
  void Adopt(uint32_t mediaSsrc, int64_t nowMs);
  std::array<Missing, kMaxMissing> missing_{};
  size_t nextMissing_ = 0;
  // Late packets count as such this far back (what the cache can tell apart); further is a jump.
  webrtc::rtp::SequenceTracker sequence_{webrtc::rtp::SequenceTracker::kDefaultMaxDropout,
                                         static_cast<int32_t>(kCachePackets)};
  // Which numbers of the window behind the highest were received (bit: number mod kReceivedWindow),
  // to tell a late packet from a duplicate. Wider than the late window, so its numbers never share a bit.
  static constexpr size_t kReceivedWindow = 2 * kCachePackets;
  std::bitset<kReceivedWindow> received_;
  uint64_t keyframesSeen_ = 0;
  uint64_t octets_ = 0;
  uint32_t avgBitrateBps_ = 0;
};

}  // namespace medicall::media::router
