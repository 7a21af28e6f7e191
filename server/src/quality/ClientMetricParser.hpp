#pragma once
// Turns a CLIENT_METRIC frame from a client into a ClientMetricReport. The frame comes from the
// network: counts are bounded (streams, metrics per stream) and every value we use must be finite
// and inside a plausible range for its unit (a percentage 0..100, a bitrate up to 10 Gbit/s ...).
// A frame that breaks one of these is dropped whole (nullopt, with the reason); metric types we do
// not use are ignored.
#include <optional>
#include <string>

#include "quality/ClientMetricReport.hpp"
#include "signaling/SignalingProtocol.pb.h"

namespace medicall::quality {

class ClientMetricParser {
 public:
  static constexpr int kMaxStreams = 64;
  static constexpr int kMaxMetrics = 256;  // per stream, and global

  static std::optional<ClientMetricReport> Parse(const signaling::proto::SdkClientMetricFrame& frame,
                                                 std::string* why = nullptr);
};

}  // namespace medicall::quality
