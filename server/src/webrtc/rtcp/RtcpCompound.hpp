#pragma once
// Iteration over a compound RTCP packet, RFC 3550 section 6.1
// (https://www.rfc-editor.org/rfc/rfc3550#section-6.1): RTCP packets stacked back to back, each with
// its own common header and length. A reduced-size packet (RFC 5506) is a compound of one.
// Strict: a compound is valid only when every header is version 2 and the lengths add up exactly to the
// datagram size; Validate() checks that before anything is handed out.
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>

#include "webrtc/rtcp/RtcpHeader.hpp"

namespace medicall::webrtc::rtcp {

class RtcpCompound {
 public:
  struct Packet {
    RtcpHeader header;
    std::span<const uint8_t> data;  // the whole packet, header and padding included
    std::span<const uint8_t> body;  // after the 4-byte header, padding removed
  };

  explicit RtcpCompound(std::span<const uint8_t> data) : data_(data) {}

  // True when the datagram holds at least one packet and every length is consistent.
  bool Validate() const;
  // Number of packets, 0 when invalid.
  size_t PacketCount() const;

  // Calls f(const Packet&) for each packet; returns false (after the valid prefix was visited) when a
  // header lies. f may return void, or bool false to stop early.
  template <typename F>
  bool ForEach(F&& f) const {
    size_t pos = 0;
    while (pos < data_.size()) {
      const auto rest = data_.subspan(pos);
      const auto header = RtcpHeader::Parse(rest);
      if (!header) return false;
      const auto packetData = rest.first(header->packetSize);
      const Packet packet{*header, packetData, header->Body(packetData)};
      if constexpr (std::is_same_v<decltype(f(packet)), bool>) {
        if (!f(packet)) return true;
      } else {
        f(packet);
      }
      pos += header->packetSize;
    }
    return !data_.empty();
  }

 private:
  std::span<const uint8_t> data_;
};

}  // namespace medicall::webrtc::rtcp
