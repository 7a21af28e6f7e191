#pragma once
// What the estimator learns about one packet we sent: our send time and size, and the arrival time
// the receiver reported in transport-wide feedback (in the receiver's clock; only differences count).
#include <cstddef>
#include <cstdint>

namespace medicall::media::bwe {

struct PacketFeedback {
  static constexpr int64_t kNotReceived = INT64_MIN;
  int64_t sendUs = 0;
  int64_t arrivalUs = kNotReceived;
  size_t size = 0;
  int probeClusterId = -1;  // the probe cluster (BitrateProber) it belonged to, -1: none
  bool Received() const { return arrivalUs != kNotReceived; }
};

}  // namespace medicall::media::bwe
