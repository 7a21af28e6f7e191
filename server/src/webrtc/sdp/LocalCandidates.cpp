#include "webrtc/sdp/LocalCandidates.hpp"

#include <algorithm>

namespace medicall::webrtc::sdp {

uint32_t LocalCandidates::Priority(uint32_t typePreference, uint32_t localPreference, uint32_t component) {
  return (typePreference << 24) + (std::min<uint32_t>(localPreference, 65535) << 8) + (256 - component);
}

std::vector<Candidate> LocalCandidates::Build(const std::vector<std::string>& addresses, uint16_t udpPort,
                                              uint16_t tcpPort) {
  std::vector<Candidate> out;
  constexpr uint32_t kComponent = 1;
  constexpr uint32_t kPassiveDirectionPreference = 4;
  uint32_t index = 0;
  for (const std::string& address : addresses) {
    Candidate udp;
    udp.foundation = std::to_string(1 + index * 2);
    udp.component = kComponent;
    udp.transport = "udp";
    udp.priority = Priority(kHostTypePreference, 65535 - index, kComponent);
    udp.address = address;
    udp.port = udpPort;
    udp.type = "host";
    out.push_back(udp);
    ++index;
  }
  if (tcpPort != 0) {
    index = 0;
    for (const std::string& address : addresses) {
      Candidate tcp;
      tcp.foundation = std::to_string(2 + index * 2);
      tcp.component = kComponent;
      tcp.transport = "tcp";
      tcp.priority = Priority(kHostTypePreference,
                              (kPassiveDirectionPreference << 13) + (8191 - std::min<uint32_t>(index, 8191)),
                              kComponent);
      tcp.address = address;
      tcp.port = tcpPort;  // RFC 6544 section 4.5: passive candidates carry the real listening port
      tcp.type = "host";
      tcp.tcpType = "passive";
      out.push_back(tcp);
      ++index;
    }
  }
  return out;
}

}  // namespace medicall::webrtc::sdp
