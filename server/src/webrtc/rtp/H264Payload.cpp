#include "webrtc/rtp/H264Payload.hpp"

#include "common/Bytes.hpp"

namespace medicall::webrtc::rtp {

namespace {

void Note(H264Payload::Info& info, uint8_t type) {
  if (type == H264Payload::kNalIdr) info.hasIdr = true;
  if (type == H264Payload::kNalSps) info.hasSps = true;
  if (type == H264Payload::kNalPps) info.hasPps = true;
}

}  // namespace

H264Payload::Info H264Payload::Inspect(std::span<const uint8_t> payload) {
  Info info;
  if (payload.empty() || (payload[0] & 0x80)) return info;  // empty or forbidden_zero_bit set
  const uint8_t type = payload[0] & 0x1F;
  if (type >= 1 && type <= 23) {
    Note(info, type);
    info.valid = true;
    return info;
  }
  if (type == kNalStapA) {
    size_t pos = 1;
    size_t units = 0;
    while (pos < payload.size()) {
      if (payload.size() - pos < 2) return Info{};
      const size_t size = ReadU16(&payload[pos]);
      pos += 2;
      if (size == 0 || size > payload.size() - pos) return Info{};
      if (payload[pos] & 0x80) return Info{};
      Note(info, payload[pos] & 0x1F);
      pos += size;
      ++units;
    }
    info.valid = units > 0;
    if (!info.valid) return Info{};
    return info;
  }
  if (type == kNalFuA) {
    if (payload.size() < 3) return info;  // indicator, header and at least one byte of fragment
    const uint8_t fuHeader = payload[1];
    if ((fuHeader & 0xC0) == 0xC0) return info;        // S and E both set is invalid (section 5.8)
    if (fuHeader & 0x80) Note(info, fuHeader & 0x1F);  // only the first fragment starts a unit
    info.valid = true;
    return info;
  }
  return info;  // 0, 25-27, 29-31: not used by packetization-mode 0/1 senders
}

}  // namespace medicall::webrtc::rtp
