#pragma once
// An IP address, port and transport protocol ("transport address", RFC 8445 section 3), IPv4 or
// IPv6, UDP or TCP (ICE-TCP, RFC 6544), as a plain value: comparable, hashable, no allocation. The
// socket layer converts to and from its own type.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace medicall::webrtc::stun {

struct TransportAddress {
  bool ipv6 = false;
  std::array<uint8_t, 16> ip{};  // IPv4 uses the first 4 bytes, the rest stay zero
  uint16_t port = 0;
  bool tcp = false;  // reached over an ICE-TCP connection (RFC 4571 framing), else UDP

  static TransportAddress V4(uint32_t ipHostOrder, uint16_t port);
  static TransportAddress V6(const std::array<uint8_t, 16>& bytes, uint16_t port);
  // "1.2.3.4" or "2001:db8::1" (no brackets) plus a port; nullopt when the text is not an address.
  static std::optional<TransportAddress> FromString(std::string_view ip, uint16_t port);

  std::string IpString() const;
  std::string ToString() const;  // "1.2.3.4:5" or "[2001:db8::1]:5", with "/tcp" for TCP
  bool operator==(const TransportAddress&) const = default;
};

struct TransportAddressHash {
  size_t operator()(const TransportAddress& a) const noexcept;
};

}  // namespace medicall::webrtc::stun
