#include "webrtc/stun/TransportAddress.hpp"

#include <arpa/inet.h>

#include <cstring>

namespace medicall::webrtc::stun {

TransportAddress TransportAddress::V4(uint32_t ipHostOrder, uint16_t port) {
  TransportAddress a;
  a.ip[0] = static_cast<uint8_t>(ipHostOrder >> 24);
  a.ip[1] = static_cast<uint8_t>(ipHostOrder >> 16);
  a.ip[2] = static_cast<uint8_t>(ipHostOrder >> 8);
  a.ip[3] = static_cast<uint8_t>(ipHostOrder);
  a.port = port;
  return a;
}

TransportAddress TransportAddress::V6(const std::array<uint8_t, 16>& bytes, uint16_t port) {
  TransportAddress a;
  a.ipv6 = true;
  a.ip = bytes;
  a.port = port;
  return a;
}

std::optional<TransportAddress> TransportAddress::FromString(std::string_view ip, uint16_t port) {
  if (ip.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  char text[INET6_ADDRSTRLEN] = {};
  std::memcpy(text, ip.data(), ip.size());
  TransportAddress a;
  a.port = port;
  if (inet_pton(AF_INET, text, a.ip.data()) == 1) return a;
  if (inet_pton(AF_INET6, text, a.ip.data()) == 1) {
    a.ipv6 = true;
    return a;
  }
  return std::nullopt;
}

std::string TransportAddress::IpString() const {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(ipv6 ? AF_INET6 : AF_INET, ip.data(), text, sizeof(text));
  return text;
}

std::string TransportAddress::ToString() const {
  std::string out =
      ipv6 ? "[" + IpString() + "]:" + std::to_string(port) : IpString() + ":" + std::to_string(port);
  if (tcp) out += "/tcp";
  return out;
}

size_t TransportAddressHash::operator()(const TransportAddress& a) const noexcept {
  // FNV-1a over the bytes that matter.
  uint64_t h = 1469598103934665603ULL;
  auto mix = [&h](uint8_t b) { h = (h ^ b) * 1099511628211ULL; };
  const size_t n = a.ipv6 ? 16 : 4;
  for (size_t i = 0; i < n; ++i) mix(a.ip[i]);
  mix(static_cast<uint8_t>(a.port >> 8));
  mix(static_cast<uint8_t>(a.port));
  mix(static_cast<uint8_t>((a.ipv6 ? 1 : 0) | (a.tcp ? 2 : 0)));
  return static_cast<size_t>(h);
}

}  // namespace medicall::webrtc::stun
