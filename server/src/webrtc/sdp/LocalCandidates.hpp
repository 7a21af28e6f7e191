#pragma once
// The server's ICE candidates for an answer or offer: one UDP host candidate per address, and, when
// an ICE-TCP port is given, one passive TCP host candidate per address (RFC 6544 section 4.5).
// Public addresses (1:1 NAT) are advertised as `typ host` too: the Chime SDK strips srflx
// candidates from the answer.
//
// Priorities (RFC 8445 section 5.1.2.1; RFC 6544 section 4.2):
//   priority = 2^24 * type preference (126 for host) + 2^8 * local preference + (256 - component)
// UDP local preference is 65535 minus the address index; TCP passive is 2^13 * 4 (direction
// preference of a passive host candidate) plus 8191 minus the index, so every UDP candidate ranks
// above every TCP one and the browser uses TCP only where UDP does not get through.
#include <cstdint>
#include <string>
#include <vector>

#include "webrtc/sdp/SdpTypes.hpp"

namespace medicall::webrtc::sdp {

class LocalCandidates {
 public:
  static constexpr uint32_t kHostTypePreference = 126;
  static uint32_t Priority(uint32_t typePreference, uint32_t localPreference, uint32_t component);

  // addresses: IPv4/IPv6 literals in order of preference. tcpPort 0: no TCP candidates.
  static std::vector<Candidate> Build(const std::vector<std::string>& addresses, uint16_t udpPort,
                                      uint16_t tcpPort);
};

}  // namespace medicall::webrtc::sdp
