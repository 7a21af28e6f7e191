#include "media/meeting/MeetingParticipant.hpp"

namespace medicall::media::meeting {

void MeetingParticipant::OnAudioPacket(uint16_t sequenceNumber, uint32_t rtpTimestamp, std::size_t bytes,
                                       int64_t arrivalUs) {
  if (!uplink_) uplink_.emplace();
  uplink_->OnPacket(sequenceNumber, rtpTimestamp, bytes, arrivalUs);
}

uint32_t MeetingParticipant::SignalStrength(int64_t nowUs) const {
  return uplink_ ? uplink_->SignalStrength(nowUs) : 0;
}

quality::UplinkView MeetingParticipant::UplinkView(int64_t nowUs, int windowSeconds) const {
  return uplink_ ? uplink_->View(nowUs, windowSeconds) : quality::UplinkView{};
}

}  // namespace medicall::media::meeting
