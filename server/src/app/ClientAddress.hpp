#pragma once
// Who is really asking. Behind a reverse proxy (nginx, Caddy) every request arrives from the proxy,
// often from loopback, and the client's address is only in Forwarded (RFC 7239) or X-Forwarded-For.
// Those headers are believed only from MEDICALL_TRUSTED_PROXIES: the client is the right-most address
// in the chain that is not a trusted proxy. A request that came through a trusted proxy is never
// "loopback", whatever the chain says, so the meetings API's "no credentials: loopback only" rule
// cannot be reached from the Internet through a proxy on the same host. With MEDICALL_PUBLIC_URL set
// (the server is published behind a proxy) loopback is never trusted at all.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/HttpTypes.hpp"

namespace medicall::app {

class ClientAddress {
 public:
  // One entry of MEDICALL_TRUSTED_PROXIES: an address or a CIDR block, IPv4 or IPv6.
  struct Network {
    bool ipv6 = false;
    std::array<uint8_t, 16> bytes{};
    unsigned prefix = 0;
    bool Contains(std::string_view address) const;
  };

  // Parses "127.0.0.1, 10.0.0.0/8, ::1"; nullopt (and why) on a malformed entry.
  static std::optional<std::vector<Network>> ParseList(std::string_view list, std::string* error);

  // behindProxy: MEDICALL_PUBLIC_URL is set (loopback is not trusted).
  ClientAddress(std::vector<Network> trustedProxies, bool behindProxy);

  // Rewrites request.remoteAddress to the client's address and clears remoteIsLoopback for proxied
  // requests (and for every request when behind a proxy). Returns true when the request came
  // through a trusted proxy.
  bool Resolve(HttpRequest& request) const;

  bool IsTrusted(std::string_view address) const;

 private:
  std::vector<Network> trusted_;
  bool behindProxy_;
};

}  // namespace medicall::app
