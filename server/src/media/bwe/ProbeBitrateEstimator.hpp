#pragma once
// The rate a probe cluster (BitrateProber) measured, from the transport-wide feedback about its
// packets (libwebrtc's ProbeBitrateEstimator): for each cluster the send interval and the arrival
// interval of its received packets, send rate = bytes but the last sent / send interval, receive rate =
// bytes but the first arrived / arrival interval. The path carries at least min(send, receive); when
// the packets arrived clearly slower than sent (receive < 90% of send) the bottleneck is below the
// probe and the result is a little under the receive rate. Results need kMinPackets received packets
// of the cluster and intervals under kMaxIntervalUs; a receive rate above twice the send rate is
// implausible (a burst compressed by the network) and gives nothing. Pure, fixed memory.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace medicall::media::bwe {

class ProbeBitrateEstimator {
 public:
  static constexpr size_t kClusters = 8;      // the most recent clusters tracked
  static constexpr uint32_t kMinPackets = 4;  // of kMinProbePackets (5) sent
  static constexpr int64_t kMaxIntervalUs = 1'000'000;
  static constexpr double kMaxReceiveToSendRatio = 2.0;
  static constexpr double kLimitedRatio = 0.9;
  static constexpr double kLimitedFactor = 0.95;

  // One received packet of cluster `clusterId` (>= 0). Returns the cluster's rate once known (again
  // with each later packet of the cluster).
  std::optional<uint64_t> OnPacket(int clusterId, int64_t sendUs, int64_t arrivalUs, size_t size);
  // The latest result since the last call, then nothing until a new one.
  std::optional<uint64_t> TakeResult() {
    auto r = result_;
    result_.reset();
    return r;
  }

 private:
  struct Cluster {
    int id = -1;
    int64_t firstSendUs = 0;
    int64_t lastSendUs = 0;
    int64_t firstArrivalUs = 0;
    int64_t lastArrivalUs = 0;
    size_t lastSendSize = 0;
    size_t firstArrivalSize = 0;
    uint64_t bytes = 0;
    uint32_t packets = 0;
  };
  std::array<Cluster, kClusters> clusters_{};
  std::optional<uint64_t> result_;
};

}  // namespace medicall::media::bwe
