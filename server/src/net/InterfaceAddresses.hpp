#pragma once
// The machine's usable unicast addresses, for host ICE candidates: every address of an interface that
// is up and not loopback, IPv4 first. Link-local addresses (169.254/16, fe80::/10) are left out: a
// browser on another host cannot use them without a scope.
#include <string>
#include <vector>

namespace medicall::net {

class InterfaceAddresses {
 public:
  // includeIpv6: also IPv6 addresses (only useful when the media socket is bound to "::").
  static std::vector<std::string> List(bool includeIpv6);
  // The candidate addresses for a server: List() plus `extra` (MEDICALL_PUBLIC_IP), without
  // duplicates, in that order; 127.0.0.1 when both are empty.
  static std::vector<std::string> ForCandidates(const std::vector<std::string>& extra, bool includeIpv6);
};

}  // namespace medicall::net
