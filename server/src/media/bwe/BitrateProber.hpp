#pragma once
// Sends probe clusters (libwebrtc's BitrateProber; draft-ietf-rmcat-gcc-02 leaves probing to the
// implementation): a cluster is a short burst at a target rate, at least kMinProbePackets packets and
// kMinProbeDurationUs worth of bytes at that rate, whose packets carry the cluster's id so that the
// estimator (ProbeBitrateEstimator) can measure, from transport-wide feedback, the rate the path
// delivered them at. The pacer asks BytesDue() while a cluster is active and sends queued media or,
// when none waits, padding, reporting each packet with OnProbeSent. Clusters wait in a small queue and
// are dropped when not started within kClusterTimeoutUs. Pure and allocation-free; the caller passes
// the times.
#include <array>
#include <cstddef>
#include <cstdint>

namespace medicall::media::bwe {

class BitrateProber {
 public:
  static constexpr size_t kMaxClusters = 4;
  static constexpr uint32_t kMinProbePackets = 5;
  static constexpr int64_t kMinProbeDurationUs = 15'000;
  static constexpr int64_t kClusterTimeoutUs = 5'000'000;
  // A cluster may run ahead of its schedule by this much (the first packet goes at once).
  static constexpr int64_t kSliceUs = 2'000;
  static constexpr int kNoCluster = -1;

  struct Cluster {
    int id = kNoCluster;
    uint64_t bps = 0;
    size_t minBytes = 0;
    uint32_t minPackets = kMinProbePackets;
    int64_t createdUs = 0;
    int64_t startUs = -1;
    size_t sentBytes = 0;
    uint32_t sentPackets = 0;
  };

  // Queues a cluster at bps; returns its id (kNoCluster: the queue is full or bps is 0).
  int CreateCluster(uint64_t bps, int64_t nowUs);
  // Whether a cluster is due (drops the ones that timed out).
  bool Active(int64_t nowUs);
  // The bytes the active cluster may send now to keep to its rate (0: none or not yet).
  size_t BytesDue(int64_t nowUs);
  // The active cluster's id (kNoCluster: none).
  int ClusterId() const { return count_ == 0 ? kNoCluster : clusters_[head_].id; }
  // A packet of the active cluster left; the cluster ends once it sent enough.
  void OnProbeSent(size_t bytes, int64_t nowUs);

  size_t Pending() const { return count_; }
  uint64_t ClustersCreated() const { return created_; }
  uint64_t ClustersDone() const { return done_; }
  // The clusters that finished, most recent last (for tests and stats).
  const Cluster& LastDone() const { return lastDone_; }

 private:
  void PopFront();

  std::array<Cluster, kMaxClusters> clusters_{};
  size_t head_ = 0;
  size_t count_ = 0;
  int nextId_ = 1;
  uint64_t created_ = 0;
  uint64_t done_ = 0;
  Cluster lastDone_{};
};

}  // namespace medicall::media::bwe
