#pragma once
// Transport-wide congestion control feedback, draft-holmer-rmcat-transport-wide-cc-extensions-01
// section 3.1 (https://datatracker.ietf.org/doc/html/draft-holmer-rmcat-transport-wide-cc-extensions-01):
//  |V=2|P|  FMT=15 |    PT=205     |           length              |
//  |                     SSRC of packet sender                     |
//  |                      SSRC of media source                     |
//  |      base sequence number     |      packet status count      |
//  |                 reference time                | fb pkt. count |
//  |          packet chunk         |         packet chunk          |
//  .                                                               .
//  |         packet chunk          |  recv delta   |  recv delta   |
//  .                                                               .
//  |           recv delta          |  recv delta   | zero padding  |
// Run length chunk (3.1.3):    |T=0| S (2) |       Run Length (13)        |
// Status vector chunk (3.1.4): |T=1|S|       symbol list (14 bits)        |
//   S=0: 14 one-bit symbols (0 not received, 1 received small delta); S=1: 7 two-bit symbols.
// Symbols: 00 not received, 01 small delta (1 byte, 0..63.75 ms), 10 large or negative delta (2 bytes,
// signed), 11 reserved. Reference time: signed 24 bits in 64 ms; deltas in 250 us, each relative to the
// previous received packet (the first to the reference time).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "common/Bytes.hpp"

namespace medicall::webrtc::rtcp {

class TransportFeedback {
 public:
  static constexpr int64_t kDeltaTickUs = 250;
  static constexpr int64_t kReferenceTickUs = 64000;
  static constexpr size_t kFixedSize = 20;  // header, two SSRCs, base seq, count, reference time, fb count

  struct PacketResult {
    uint16_t sequenceNumber = 0;
    bool received = false;
    int64_t arrivalTimeUs = 0;  // meaningful when received: reference time + deltas, in microseconds
    bool operator==(const PacketResult&) const = default;
  };

  // Checks every chunk, symbol and delta against the status count and the length.
  static std::optional<TransportFeedback> Parse(std::span<const uint8_t> packet);

  uint32_t SenderSsrc() const { return senderSsrc_; }
  uint32_t MediaSsrc() const { return mediaSsrc_; }
  uint16_t BaseSequenceNumber() const { return baseSeq_; }
  uint16_t PacketStatusCount() const { return statusCount_; }
  int32_t ReferenceTime() const { return referenceTime_; }  // in 64 ms units
  int64_t ReferenceTimeUs() const { return static_cast<int64_t>(referenceTime_) * kReferenceTickUs; }
  uint8_t FeedbackPacketCount() const { return fbCount_; }
  size_t ReceivedCount() const { return receivedCount_; }

  // Calls f(const PacketResult&) for each of the PacketStatusCount() packets, in sequence order.
  template <typename F>
  void ForEachPacket(F&& f) const {
    size_t deltaPos = chunkBytes_;
    int64_t time = ReferenceTimeUs();
    size_t unused = 0;
    WalkChunks(data_, statusCount_, unused, [&](uint32_t index, uint8_t symbol) {
      PacketResult r;
      r.sequenceNumber = static_cast<uint16_t>(baseSeq_ + index);
      if (symbol != 0) {
        const int64_t delta = symbol == 1
                                  ? static_cast<int64_t>(data_[deltaPos])
                                  : static_cast<int64_t>(static_cast<int16_t>(ReadU16(&data_[deltaPos])));
        deltaPos += symbol;
        time += delta * kDeltaTickUs;
        r.received = true;
        r.arrivalTimeUs = time;
      }
      f(r);
    });
  }
  // Writes up to out.size() results; returns how many.
  size_t GetPackets(std::span<PacketResult> out) const;

  // Builds a feedback packet for `packets`, whose sequence numbers must be consecutive (wrapping) from
  // packets[0]. The reference time is the first received arrival time rounded down to 64 ms; arrival times
  // are rounded to 250 us without drift; the reference time wraps at 24 bits (2^24 * 64 ms, 12.4 days).
  // Returns the size written, or 0 when packets is empty or longer than 65535, not consecutive, a delta
  // does not fit 16 bits, or out is too small.
  static size_t Serialize(uint32_t senderSsrc, uint32_t mediaSsrc, uint8_t feedbackPacketCount,
                          std::span<const PacketResult> packets, std::span<uint8_t> out);

  // Walks the packet chunks in data. on(index, symbol) for each of statusCount symbols. Returns false on a
  // reserved symbol or when the chunks run past data; chunkBytes receives the bytes the chunks used.
  template <typename OnSymbol>
  static bool WalkChunks(std::span<const uint8_t> data, uint16_t statusCount, size_t& chunkBytes,
                         OnSymbol&& on) {
    size_t pos = 0;
    uint32_t index = 0;
    while (index < statusCount) {
      if (data.size() - pos < 2) return false;
      const uint16_t chunk = ReadU16(&data[pos]);
      pos += 2;
      if ((chunk & 0x8000) == 0) {
        const uint8_t symbol = (chunk >> 13) & 0x3;
        if (symbol == 3) return false;
        const uint32_t run = chunk & 0x1FFF;
        for (uint32_t k = 0; k < run && index < statusCount; ++k) on(index++, symbol);
      } else if ((chunk & 0x4000) == 0) {
        for (int k = 0; k < 14 && index < statusCount; ++k)
          on(index++, static_cast<uint8_t>((chunk >> (13 - k)) & 1));
      } else {
        for (int k = 0; k < 7 && index < statusCount; ++k) {
          const uint8_t symbol = (chunk >> (12 - 2 * k)) & 0x3;
          if (symbol == 3) return false;
          on(index++, symbol);
        }
      }
    }
    chunkBytes = pos;
    return true;
  }

 private:
  uint32_t senderSsrc_ = 0;
  uint32_t mediaSsrc_ = 0;
  uint16_t baseSeq_ = 0;
  uint16_t statusCount_ = 0;
  int32_t referenceTime_ = 0;
  uint8_t fbCount_ = 0;
  size_t receivedCount_ = 0;
  size_t chunkBytes_ = 0;
  std::span<const uint8_t> data_;  // chunks, deltas, padding
};

}  // namespace medicall::webrtc::rtcp
