#pragma once
// The UplinkMonitor of every attendee of one meeting, by attendee id (media worker thread).
#include <string>
#include <unordered_map>
#include <vector>

#include "quality/UplinkMonitor.hpp"

namespace medicall::quality {

class UplinkMonitorSet {
 public:
  struct Entry {
    std::string attendeeId;
    UplinkView view;
    uint32_t signalStrength = 0;
  };

  // One audio RTP packet of the attendee arrived (allocates only for a new attendee).
  void OnPacket(const std::string& attendeeId, uint16_t sequenceNumber, uint32_t rtpTimestamp, size_t bytes,
                int64_t nowUs);
  void Remove(const std::string& attendeeId) { monitors_.erase(attendeeId); }
  // 0..2 for AUDIO_METADATA; 0 for an attendee whose audio never arrived.
  uint32_t SignalStrength(const std::string& attendeeId, int64_t nowUs) const;
  // Every attendee's view over the last `windowSeconds`, with its signal strength.
  std::vector<Entry> Views(int64_t nowUs, int windowSeconds) const;

 private:
  std::unordered_map<std::string, UplinkMonitor> monitors_;
};

}  // namespace medicall::quality
