#include "webrtc/rtp/RtpPacketCache.hpp"

#include <algorithm>
#include <cstring>

namespace medicall::webrtc::rtp {

namespace {
size_t RoundCapacity(size_t capacity) {
  size_t c = 1;
  while (c < capacity && c < 32768) c <<= 1;
  return c;
}
}  // namespace

RtpPacketCache::RtpPacketCache(size_t capacity)
    : capacity_(RoundCapacity(capacity)),
      slots_(std::make_unique<Slot[]>(capacity_)),
      buffers_(std::make_unique<uint8_t[]>(capacity_ * kMaxPacketSize)) {}

bool RtpPacketCache::Store(uint16_t sequenceNumber, std::span<const uint8_t> packet, int64_t nowMs) {
  if (packet.size() > kMaxPacketSize) return false;
  const size_t index = sequenceNumber & (capacity_ - 1);
  Slot& slot = slots_[index];
  slot.seq = sequenceNumber;
  slot.used = true;
  slot.size = static_cast<uint16_t>(packet.size());
  slot.storedAtMs = nowMs;
  slot.retransmissions = 0;
  if (!packet.empty()) std::memcpy(buffers_.get() + index * kMaxPacketSize, packet.data(), packet.size());
  return true;
}

std::optional<RtpPacketCache::Entry> RtpPacketCache::Get(uint16_t sequenceNumber, int64_t nowMs,
                                                         int64_t maxAgeMs) const {
  const size_t index = sequenceNumber & (capacity_ - 1);
  const Slot& slot = slots_[index];
  if (!slot.used || slot.seq != sequenceNumber || nowMs - slot.storedAtMs > maxAgeMs) return std::nullopt;
  return Entry{{buffers_.get() + index * kMaxPacketSize, slot.size}, slot.storedAtMs, slot.retransmissions};
}

std::optional<RtpPacketCache::Entry> RtpPacketCache::GetForRetransmission(uint16_t sequenceNumber,
                                                                          int64_t nowMs, int64_t maxAgeMs) {
  auto entry = Get(sequenceNumber, nowMs, maxAgeMs);
  if (entry) ++slots_[sequenceNumber & (capacity_ - 1)].retransmissions;
  return entry;
}

void RtpPacketCache::Clear() { std::fill(slots_.get(), slots_.get() + capacity_, Slot{}); }

}  // namespace medicall::webrtc::rtp
