#include "net/InterfaceAddresses.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <algorithm>

namespace medicall::net {

std::vector<std::string> InterfaceAddresses::List(bool includeIpv6) {
  std::vector<std::string> v4;
  std::vector<std::string> v6;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return {};
  for (const ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
    if (i->ifa_addr == nullptr || (i->ifa_flags & IFF_UP) == 0 || (i->ifa_flags & IFF_LOOPBACK) != 0)
      continue;
    char text[INET6_ADDRSTRLEN] = {};
    if (i->ifa_addr->sa_family == AF_INET) {
      const auto* a = reinterpret_cast<const sockaddr_in*>(i->ifa_addr);
      const uint32_t host = ntohl(a->sin_addr.s_addr);
      if ((host >> 16) == 0xA9FE || (host >> 24) == 127) continue;  // 169.254/16, 127/8
      inet_ntop(AF_INET, &a->sin_addr, text, sizeof(text));
      v4.emplace_back(text);
    } else if (includeIpv6 && i->ifa_addr->sa_family == AF_INET6) {
      const auto* a = reinterpret_cast<const sockaddr_in6*>(i->ifa_addr);
      if (IN6_IS_ADDR_LINKLOCAL(&a->sin6_addr) || IN6_IS_ADDR_LOOPBACK(&a->sin6_addr) ||
          IN6_IS_ADDR_V4MAPPED(&a->sin6_addr))
        continue;
      inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof(text));
      v6.emplace_back(text);
    }
  }
  freeifaddrs(list);
  v4.insert(v4.end(), v6.begin(), v6.end());
  return v4;
}

std::vector<std::string> InterfaceAddresses::ForCandidates(const std::vector<std::string>& extra,
                                                           bool includeIpv6) {
  std::vector<std::string> out = List(includeIpv6);
  for (const std::string& e : extra) {
    if (std::find(out.begin(), out.end(), e) == out.end()) out.push_back(e);
  }
  if (out.empty()) out.emplace_back("127.0.0.1");
  return out;
}

}  // namespace medicall::net
