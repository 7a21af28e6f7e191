#pragma once
// One attendee's published video stream (its camera send section): the stream and group ids that
// INDEX announces, the SSRCs and payload types its offer declared, the packet cache that answers the
// subscribers' NACKs, the keyframe request throttle and the reception statistics for its receiver
// reports. The subscriptions currently fed from it are listed here (not owned).
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "media/router/StreamReceiveStats.hpp"
#include "webrtc/rtp/KeyframeRequestThrottle.hpp"
#include "webrtc/rtp/RtpPacketCache.hpp"

namespace medicall::media::router {

class RouterPeer;
class Subscription;

class Publisher {
 public:
  static constexpr size_t kCachePackets = 512;  // about 3 s of 1.5 Mbit/s video
  static constexpr int64_t kKeyframeIntervalMs = 300;

  Publisher(RouterPeer& owner, uint32_t streamId, uint32_t groupId, uint32_t maxBitrateKbps);
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  RouterPeer& Owner() const { return owner_; }
  uint32_t StreamId() const { return streamId_; }
  uint32_t GroupId() const { return groupId_; }
  uint32_t MaxBitrateKbps() const { return maxBitrateKbps_; }
  void SetMaxBitrateKbps(uint32_t kbps) { maxBitrateKbps_ = kbps; }

  // From the attendee's offer and our answer: the media and RTX SSRCs (0 = learn from the first
  // packet) and the payload types of the send section.
  void SetStream(uint32_t mediaSsrc, uint32_t rtxSsrc, uint8_t payloadType, int rtxPayloadType);
  // A media packet arrived with another SSRC than expected: the sender restarted its stream.
  void AdoptSsrc(uint32_t mediaSsrc);
  uint32_t MediaSsrc() const { return mediaSsrc_; }
  uint32_t RtxSsrc() const { return rtxSsrc_; }
  uint8_t PayloadType() const { return payloadType_; }
  int RtxPayloadType() const { return rtxPayloadType_; }  // -1: none
  bool Receiving() const { return payloadType_ != 0; }

  void Attach(Subscription& subscription);
  void Detach(Subscription& subscription);
  const std::vector<Subscription*>& Subscribers() const { return subscribers_; }

  webrtc::rtp::RtpPacketCache& Cache() { return cache_; }
  webrtc::rtp::KeyframeRequestThrottle& Keyframes() { return keyframes_; }
  StreamReceiveStats& Stats() { return stats_; }
  // Upstream loss repair (RFC 4585 generic NACK towards the publisher, answered with RTX, RFC 4588).
  // A media packet arrived: records the sequence numbers skipped since the highest one as missing,
  // and returns false when this packet was already received (a duplicate, e.g. a late RTX).
  bool OnSequence(uint16_t sequenceNumber, int64_t nowMs);
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
  static constexpr int32_t kMaxGap = 100;  // a larger jump is a restart, not loss
  std::array<Missing, kMaxMissing> missing_{};
  size_t nextMissing_ = 0;
  std::optional<uint16_t> highestSeq_;
  uint64_t keyframesSeen_ = 0;
  uint64_t octets_ = 0;
  uint32_t avgBitrateBps_ = 0;
};

}  // namespace medicall::media::router
