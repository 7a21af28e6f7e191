#pragma once
// Generic NACK, RFC 4585 section 6.2.1 (https://www.rfc-editor.org/rfc/rfc4585#section-6.2.1):
//  |V=2|P| FMT=1   |  PT=RTPFB=205 |          length               |
//  |                  SSRC of packet sender                        |
//  |                  SSRC of media source                         |
// FCI entries:
//  |            PID                |             BLP               |
// PID is a lost sequence number; bit i (LSB = 0) of BLP reports PID + i + 1 lost too.
// A parsed Nack is a view into the packet buffer.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "common/Bytes.hpp"

namespace medicall::webrtc::rtcp {

class Nack {
 public:
  static constexpr size_t kMaxLostPerItem = 17;

  struct Item {
    uint16_t pid = 0;
    uint16_t blp = 0;
  };

  static std::optional<Nack> Parse(std::span<const uint8_t> packet);

  uint32_t SenderSsrc() const { return senderSsrc_; }
  uint32_t MediaSsrc() const { return mediaSsrc_; }
  size_t ItemCount() const { return fci_.size() / 4; }
  Item GetItem(size_t i) const { return Item{ReadU16(&fci_[4 * i]), ReadU16(&fci_[4 * i + 2])}; }

  // Calls f(uint16_t seq) for every lost sequence number, in packet order.
  template <typename F>
  void ForEachLost(F&& f) const {
    for (size_t i = 0; i < ItemCount(); ++i) {
      const Item item = GetItem(i);
      f(item.pid);
      for (uint16_t bit = 0; bit < 16; ++bit) {
        if (item.blp & (1u << bit)) f(static_cast<uint16_t>(item.pid + bit + 1));
      }
    }
  }
  // Upper bound for the number of sequence numbers ForEachLost reports.
  size_t MaxLostCount() const { return ItemCount() * kMaxLostPerItem; }
  // Writes up to out.size() lost sequence numbers; returns how many were written.
  size_t LostPackets(std::span<uint16_t> out) const;

  // Encodes the lost sequence numbers (best sorted in wrap-around order; each becomes a PID or a BLP bit
  // of the item before it). Returns the size written, 0 when lost is empty or out is too small.
  static size_t Serialize(uint32_t senderSsrc, uint32_t mediaSsrc, std::span<const uint16_t> lost,
                          std::span<uint8_t> out);
  // Size Serialize would write.
  static size_t SerializedSize(std::span<const uint16_t> lost);

 private:
  uint32_t senderSsrc_ = 0;
  uint32_t mediaSsrc_ = 0;
  std::span<const uint8_t> fci_;
};

}  // namespace medicall::webrtc::rtcp
