#pragma once
// One attendee of a meeting as its media worker knows it, beside what the router (transport,
// publisher, subscriptions) and the mixer (audio streams, mute) keep: the server's own view of its
// audio uplink (UplinkMonitor: loss, jitter, signal strength), once its audio arrives.
// Owned by MeetingMedia; worker thread only. No allocation per packet.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "quality/UplinkMonitor.hpp"

namespace medicall::media::meeting {

class MeetingParticipant {
 public:
  explicit MeetingParticipant(std::string attendeeId) : attendeeId_(std::move(attendeeId)) {}

  const std::string& AttendeeId() const { return attendeeId_; }

  // One audio RTP packet of the attendee arrived at `arrivalUs` (monotonic).
  void OnAudioPacket(uint16_t sequenceNumber, uint32_t rtpTimestamp, std::size_t bytes, int64_t arrivalUs);
  // True once some of its audio arrived.
  bool HasUplink() const { return uplink_.has_value(); }
  // 0..2 for AUDIO_METADATA; 0 while its audio never arrived.
  uint32_t SignalStrength(int64_t nowUs) const;
  // Its uplink over the last `windowSeconds` (an empty view while its audio never arrived).
  quality::UplinkView UplinkView(int64_t nowUs, int windowSeconds) const;

 private:
  std::string attendeeId_;
  std::optional<quality::UplinkMonitor> uplink_;
};

}  // namespace medicall::media::meeting
