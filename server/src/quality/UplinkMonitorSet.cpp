#include "quality/UplinkMonitorSet.hpp"

namespace medicall::quality {

void UplinkMonitorSet::OnPacket(const std::string& attendeeId, uint16_t sequenceNumber, uint32_t rtpTimestamp,
                                size_t bytes, int64_t nowUs) {
  auto it = monitors_.find(attendeeId);
  if (it == monitors_.end()) it = monitors_.emplace(attendeeId, UplinkMonitor{}).first;
  it->second.OnPacket(sequenceNumber, rtpTimestamp, bytes, nowUs);
}

uint32_t UplinkMonitorSet::SignalStrength(const std::string& attendeeId, int64_t nowUs) const {
  auto it = monitors_.find(attendeeId);
  return it == monitors_.end() ? 0 : it->second.SignalStrength(nowUs);
}

std::vector<UplinkMonitorSet::Entry> UplinkMonitorSet::Views(int64_t nowUs, int windowSeconds) const {
  std::vector<Entry> out;
  out.reserve(monitors_.size());
  for (const auto& [id, monitor] : monitors_)
    out.push_back({id, monitor.View(nowUs, windowSeconds), monitor.SignalStrength(nowUs)});
  return out;
}

}  // namespace medicall::quality
