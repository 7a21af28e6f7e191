#include "webrtc/rtcp/TransportFeedback.hpp"

#include <algorithm>
#include <cstring>

#include "webrtc/rtcp/RtcpHeader.hpp"

namespace medicall::webrtc::rtcp {

namespace {

constexpr uint32_t kMaxRunLength = 0x1FFF;

int64_t FloorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
int64_t RoundDiv(int64_t a, int64_t b) { return a >= 0 ? (a + b / 2) / b : -((-a + b / 2) / b); }

// Produces the status symbol of each packet in order, tracking quantised time so rounding never drifts.
// Copyable, so the encoder can look ahead.
struct SymbolCursor {
  std::span<const TransportFeedback::PacketResult> packets;
  int64_t baseUs = 0;
  size_t index = 0;
  int64_t prevTicks = 0;
  int64_t lastDelta = 0;

  // Symbol of packets[index] (0, 1, 2) and advance; -1 when the delta does not fit 16 bits.
  int Next() {
    const auto& p = packets[index++];
    if (!p.received) return 0;
    const int64_t ticks = RoundDiv(p.arrivalTimeUs - baseUs, TransportFeedback::kDeltaTickUs);
    lastDelta = ticks - prevTicks;
    prevTicks = ticks;
    if (lastDelta >= 0 && lastDelta <= 255) return 1;
    if (lastDelta >= -32768 && lastDelta <= 32767) return 2;
    return -1;
  }
};

}  // namespace

std::optional<TransportFeedback> TransportFeedback::Parse(std::span<const uint8_t> packet) {
  const auto header = RtcpHeader::Parse(packet);
  if (!header || header->packetType != static_cast<uint8_t>(PacketType::kRtpfb) ||
      header->count != kFmtTransportFeedback) {
    return std::nullopt;
  }
  const auto body = header->Body(packet);
  if (body.size() < kFixedSize - RtcpHeader::kSize) return std::nullopt;
  TransportFeedback fb;
  fb.senderSsrc_ = ReadU32(&body[0]);
  fb.mediaSsrc_ = ReadU32(&body[4]);
  fb.baseSeq_ = ReadU16(&body[8]);
  fb.statusCount_ = ReadU16(&body[10]);
  uint32_t ref = ReadU24(&body[12]);
  if (ref & 0x800000) ref |= 0xFF000000;
  fb.referenceTime_ = static_cast<int32_t>(ref);
  fb.fbCount_ = body[15];
  if (fb.statusCount_ == 0) return std::nullopt;
  fb.data_ = body.subspan(16);
  size_t deltaBytes = 0;
  size_t received = 0;
  if (!WalkChunks(fb.data_, fb.statusCount_, fb.chunkBytes_, [&](uint32_t, uint8_t symbol) {
        deltaBytes += symbol;
        if (symbol) ++received;
      })) {
    return std::nullopt;
  }
  const size_t used = fb.chunkBytes_ + deltaBytes;
  if (used > fb.data_.size() || fb.data_.size() - used > 3) return std::nullopt;  // deltas missing or junk
  fb.receivedCount_ = received;
  return fb;
}

size_t TransportFeedback::GetPackets(std::span<PacketResult> out) const {
  size_t n = 0;
  ForEachPacket([&](const PacketResult& r) {
    if (n < out.size()) out[n++] = r;
  });
  return n;
}

size_t TransportFeedback::Serialize(uint32_t senderSsrc, uint32_t mediaSsrc, uint8_t feedbackPacketCount,
                                    std::span<const PacketResult> packets, std::span<uint8_t> out) {
  if (packets.empty() || packets.size() > 0xFFFF) return 0;
  const auto firstReceived =
      std::find_if(packets.begin(), packets.end(), [](const auto& p) { return p.received; });
  for (size_t i = 1; i < packets.size(); ++i) {
    if (packets[i].sequenceNumber != static_cast<uint16_t>(packets[0].sequenceNumber + i)) return 0;
  }
  int64_t reference = 0;
  if (firstReceived != packets.end()) reference = FloorDiv(firstReceived->arrivalTimeUs, kReferenceTickUs);
  const SymbolCursor start{packets, reference * kReferenceTickUs};

  if (out.size() < kFixedSize) return 0;
  uint8_t* p = out.data();
  size_t pos = kFixedSize;
  size_t deltaBytes = 0;
  SymbolCursor cursor = start;
  while (cursor.index < packets.size()) {
    const size_t remaining = packets.size() - cursor.index;
    // Length of the run of equal symbols from here.
    SymbolCursor look = cursor;
    const int first = look.Next();
    if (first < 0) return 0;
    size_t run = 1;
    while (run < remaining && run < kMaxRunLength) {
      SymbolCursor next = look;
      if (next.Next() != first) break;
      look = next;
      ++run;
    }
    // Whether the next (up to) 14 symbols all fit one bit.
    const size_t oneBitCount = std::min<size_t>(14, remaining);
    bool oneBit = true;
    SymbolCursor probe = cursor;
    for (size_t k = 0; k < oneBitCount && oneBit; ++k) {
      const int s = probe.Next();
      if (s < 0) return 0;
      oneBit = s <= 1;
    }
    uint16_t chunk = 0;
    size_t take = 0;
    // A run chunk when it covers the most; else a one-bit vector when it can; else a run of 7+; else two-bit.
    const bool useRun = run >= 14 || run == remaining || (!oneBit && run >= 7);
    if (useRun) {
      chunk = static_cast<uint16_t>((first << 13) | run);
      take = run;
    } else if (oneBit) {
      take = oneBitCount;
      chunk = 0x8000;
      SymbolCursor c = cursor;
      for (size_t k = 0; k < take; ++k) chunk = static_cast<uint16_t>(chunk | (c.Next() << (13 - k)));
    } else {
      take = std::min<size_t>(7, remaining);
      chunk = 0xC000;
      SymbolCursor c = cursor;
      for (size_t k = 0; k < take; ++k) {
        const int s = c.Next();
        if (s < 0) return 0;
        chunk = static_cast<uint16_t>(chunk | (s << (12 - 2 * k)));
      }
    }
    if (out.size() - pos < 2) return 0;
    WriteU16(p + pos, chunk);
    pos += 2;
    for (size_t k = 0; k < take; ++k) deltaBytes += static_cast<size_t>(cursor.Next());
  }
  const size_t size = (pos + deltaBytes + 3) & ~size_t{3};
  if (size > out.size() || size / 4 - 1 > 0xFFFF) return 0;
  cursor = start;
  while (cursor.index < packets.size()) {
    const int s = cursor.Next();
    if (s == 1) {
      p[pos++] = static_cast<uint8_t>(cursor.lastDelta);
    } else if (s == 2) {
      WriteU16(p + pos, static_cast<uint16_t>(static_cast<int16_t>(cursor.lastDelta)));
      pos += 2;
    }
  }
  std::memset(p + pos, 0, size - pos);
  RtcpHeader::Write(p, kFmtTransportFeedback, static_cast<uint8_t>(PacketType::kRtpfb), size);
  WriteU32(p + 4, senderSsrc);
  WriteU32(p + 8, mediaSsrc);
  WriteU16(p + 12, packets[0].sequenceNumber);
  WriteU16(p + 14, static_cast<uint16_t>(packets.size()));
  // 24 bits, wrapping (the draft leaves the time base to the feedback sender; receivers unwrap it).
  WriteU24(p + 16, static_cast<uint32_t>(reference) & 0xFFFFFF);
  p[19] = feedbackPacketCount;
  return size;
}

}  // namespace medicall::webrtc::rtcp
