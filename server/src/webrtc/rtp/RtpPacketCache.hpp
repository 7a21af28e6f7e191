#pragma once
// A fixed-size ring of the most recent packets of one stream, to answer NACKs (RFC 4585 section 6.2.1)
// with retransmissions. All memory is taken once at construction; storing and looking up a packet never
// allocates. The slot is chosen by sequence number, so a lookup never returns another packet that happens
// to share the slot.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

namespace medicall::webrtc::rtp {

class RtpPacketCache {
 public:
  static constexpr size_t kMaxPacketSize = 1500;

  struct Entry {
    std::span<const uint8_t> data;
    int64_t storedAtMs = 0;
    uint32_t retransmissions = 0;
  };

  // capacity: number of packets kept, rounded up to a power of two in [1, 32768].
  explicit RtpPacketCache(size_t capacity);

  // Stores a copy; packets above kMaxPacketSize are not kept (returns false).
  bool Store(uint16_t sequenceNumber, std::span<const uint8_t> packet, int64_t nowMs);
  // The stored packet, nullopt when absent or older than maxAgeMs.
  std::optional<Entry> Get(uint16_t sequenceNumber, int64_t nowMs, int64_t maxAgeMs) const;
  // Like Get, and counts a retransmission (to cap repeats of the same packet).
  std::optional<Entry> GetForRetransmission(uint16_t sequenceNumber, int64_t nowMs, int64_t maxAgeMs);
  void Clear();
  size_t Capacity() const { return capacity_; }

 private:
  struct Slot {
    uint16_t seq = 0;
    bool used = false;
    uint16_t size = 0;
    int64_t storedAtMs = 0;
    uint32_t retransmissions = 0;
  };
  size_t capacity_;
  std::unique_ptr<Slot[]> slots_;
  std::unique_ptr<uint8_t[]> buffers_;
};

}  // namespace medicall::webrtc::rtp
