#include "webrtc/rtcp/RtcpCompound.hpp"

namespace medicall::webrtc::rtcp {

bool RtcpCompound::Validate() const { return PacketCount() > 0; }

size_t RtcpCompound::PacketCount() const {
  size_t count = 0;
  const bool ok = ForEach([&](const Packet&) { ++count; });
  return ok ? count : 0;
}

}  // namespace medicall::webrtc::rtcp
