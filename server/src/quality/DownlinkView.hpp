#pragma once
// The server's view of one attendee's downlink (what the server sends it) at one moment, as the
// call-quality recorder takes it: from the RTCP the attendee sends as a receiver (its receiver reports
// about the video we forward it and the mixed audio, its NACKs and keyframe requests), what we resent
// it, and our bandwidth estimate toward it. The app fills it from the router's snapshot
// (media::router::DownlinkView, taken on the media worker) about once a second.
#include <cstdint>
#include <optional>

namespace medicall::quality {

struct DownlinkView {
  std::optional<double> lossPct;   // the worst stream's fraction lost in its latest report, 0..100
  std::optional<double> jitterMs;  // the worst stream's interarrival jitter
  std::optional<double> rttMs;     // round trip from LSR/DLSR against our sender reports
  // Counters since the attendee's transport began (a new transport starts them again).
  uint64_t nacksReceived = 0;
  uint64_t keyframeRequestsReceived = 0;  // PLIs and FIR entries
  uint64_t retransmissionsSent = 0;
  // What we estimate we can send it (send-side estimate from transport-wide feedback, else its REMB).
  std::optional<double> estimateBps;
};

}  // namespace medicall::quality
