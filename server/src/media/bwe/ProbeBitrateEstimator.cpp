#include "media/bwe/ProbeBitrateEstimator.hpp"

#include <algorithm>

namespace medicall::media::bwe {

std::optional<uint64_t> ProbeBitrateEstimator::OnPacket(int clusterId, int64_t sendUs, int64_t arrivalUs,
                                                        size_t size) {
  if (clusterId < 0) return std::nullopt;
  Cluster& c = clusters_[static_cast<size_t>(clusterId) % kClusters];
  if (c.id != clusterId) {
    c = Cluster{};
    c.id = clusterId;
    c.firstSendUs = c.lastSendUs = sendUs;
    c.firstArrivalUs = c.lastArrivalUs = arrivalUs;
    c.lastSendSize = c.firstArrivalSize = size;
  }
  if (sendUs < c.firstSendUs) c.firstSendUs = sendUs;
  if (sendUs >= c.lastSendUs) {
    c.lastSendUs = sendUs;
    c.lastSendSize = size;
  }
  if (arrivalUs < c.firstArrivalUs) {
    c.firstArrivalUs = arrivalUs;
    c.firstArrivalSize = size;
  }
  c.lastArrivalUs = std::max(c.lastArrivalUs, arrivalUs);
  c.bytes += size;
  ++c.packets;
  if (c.packets < kMinPackets) return std::nullopt;
  const int64_t sendInterval = c.lastSendUs - c.firstSendUs;
  const int64_t receiveInterval = c.lastArrivalUs - c.firstArrivalUs;
  if (sendInterval <= 0 || receiveInterval <= 0 || sendInterval > kMaxIntervalUs ||
      receiveInterval > kMaxIntervalUs)
    return std::nullopt;
  const double sendBps =
      static_cast<double>(c.bytes - c.lastSendSize) * 8e6 / static_cast<double>(sendInterval);
  const double receiveBps =
      static_cast<double>(c.bytes - c.firstArrivalSize) * 8e6 / static_cast<double>(receiveInterval);
  if (receiveBps > kMaxReceiveToSendRatio * sendBps) return std::nullopt;
  double bps = std::min(sendBps, receiveBps);
  if (receiveBps < kLimitedRatio * sendBps) bps = kLimitedFactor * receiveBps;
  result_ = static_cast<uint64_t>(bps);
  return result_;
}

}  // namespace medicall::media::bwe
