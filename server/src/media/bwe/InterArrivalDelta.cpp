#include "media/bwe/InterArrivalDelta.hpp"

namespace medicall::media::bwe {

bool InterArrivalDelta::BelongsToCurrent(int64_t sendUs, int64_t arrivalUs) const {
  if (sendUs - current_.firstSendUs <= kBurstUs) return true;
  const int64_t arrivalGap = arrivalUs - current_.lastArrivalUs;
  const int64_t variation = arrivalGap - (sendUs - current_.lastSendUs);
  return arrivalGap < kBurstUs && variation < 0;
}

bool InterArrivalDelta::OnPacket(int64_t sendUs, int64_t arrivalUs, size_t size, Delta& out) {
  if (!current_.valid) {
    current_ = Group{true, sendUs, sendUs, arrivalUs, arrivalUs, size};
    return false;
  }
  if (sendUs < current_.firstSendUs) return false;  // reordered into an older group
  if (BelongsToCurrent(sendUs, arrivalUs)) {
    if (sendUs > current_.lastSendUs) current_.lastSendUs = sendUs;
    if (arrivalUs > current_.lastArrivalUs) current_.lastArrivalUs = arrivalUs;
    current_.size += size;
    return false;
  }
  bool produced = false;
  if (previous_.valid) {
    out.sendDeltaUs = current_.lastSendUs - previous_.lastSendUs;
    out.arrivalDeltaUs = current_.lastArrivalUs - previous_.lastArrivalUs;
    out.arrivalUs = current_.lastArrivalUs;
    produced = true;
  }
  previous_ = current_;
  current_ = Group{true, sendUs, sendUs, arrivalUs, arrivalUs, size};
  return produced;
}

}  // namespace medicall::media::bwe
