#pragma once
// What one CLIENT_METRIC frame (the Chime SDK's 1 Hz report, chime-protocol-2.md section 6.4) says
// about an attendee, in plain units, after ClientMetricParser checked it. Absent: the client did not
// report it (no camera, nothing received yet). Downstream video of several streams is combined:
// bitrates and freezes summed, the lowest frame rate, the highest loss.
#include <optional>

namespace medicall::quality {

struct ClientMetricReport {
  // The client's uplink (what it sends; loss and RTT from our receiver reports).
  std::optional<double> audioSendBitrateBps;
  std::optional<double> audioSendLossPercent;
  std::optional<double> audioSendJitterMs;
  std::optional<double> audioSendRttMs;
  std::optional<double> audioInputLevel;  // 0..1 (the microphone's level)
  std::optional<double> videoSendBitrateBps;
  std::optional<double> videoSendFps;  // frames encoded per second
  std::optional<double> videoSendWidth, videoSendHeight;
  std::optional<double> videoSendLossPercent;
  std::optional<double> videoSendRttMs;
  std::optional<double> videoNacksReceived, videoPlisReceived;  // per second
  // The client's downlink.
  std::optional<double> audioReceiveBitrateBps;
  std::optional<double> audioReceiveLossPercent;
  std::optional<double> audioReceiveJitterMs;
  std::optional<double> videoReceiveBitrateBps;
  std::optional<double> videoReceiveFps;  // frames decoded per second, lowest stream
  std::optional<double> videoReceiveWidth, videoReceiveHeight;
  std::optional<double> videoReceiveLossPercent;
  std::optional<double> videoFreezes;  // freezes per second, all streams
  // The ICE candidate pair.
  std::optional<double> stunRttMs;
};

}  // namespace medicall::quality
