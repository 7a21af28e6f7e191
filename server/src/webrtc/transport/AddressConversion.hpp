#pragma once
// Conversions between the socket layer's endpoint and the protocol layer's TransportAddress.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>

#include "webrtc/stun/TransportAddress.hpp"

namespace medicall::webrtc::transport {

inline stun::TransportAddress ToTransportAddress(const boost::asio::ip::address& address, uint16_t port) {
  if (address.is_v4()) return stun::TransportAddress::V4(address.to_v4().to_uint(), port);
  const auto v6 = address.to_v6();
  if (v6.is_v4_mapped()) {
    return stun::TransportAddress::V4(
        boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6).to_uint(), port);
  }
  return stun::TransportAddress::V6(v6.to_bytes(), port);
}

inline stun::TransportAddress ToTransportAddress(const boost::asio::ip::udp::endpoint& endpoint) {
  return ToTransportAddress(endpoint.address(), endpoint.port());
}

inline stun::TransportAddress ToTransportAddress(const boost::asio::ip::tcp::endpoint& endpoint) {
  stun::TransportAddress a = ToTransportAddress(endpoint.address(), endpoint.port());
  a.tcp = true;
  return a;
}

inline boost::asio::ip::address ToAddress(const stun::TransportAddress& address) {
  if (!address.ipv6) {
    boost::asio::ip::address_v4::bytes_type b{address.ip[0], address.ip[1], address.ip[2], address.ip[3]};
    return boost::asio::ip::address_v4(b);
  }
  return boost::asio::ip::address_v6(address.ip);
}

inline boost::asio::ip::udp::endpoint ToEndpoint(const stun::TransportAddress& address) {
  return {ToAddress(address), address.port};
}

inline boost::asio::ip::tcp::endpoint ToTcpEndpoint(const stun::TransportAddress& address) {
  return {ToAddress(address), address.port};
}

}  // namespace medicall::webrtc::transport
