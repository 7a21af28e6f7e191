#pragma once
// RFC 4571 section 2 framing of RTP, RTCP, STUN and DTLS over a TCP stream (used by ICE-TCP,
// RFC 6544 section 3): every packet is preceded by its length as a 16-bit unsigned integer.
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   ---------------------------------------------------------------
//   |             LENGTH            |  RTP or RTCP packet ...       |
//   ---------------------------------------------------------------
//
// The framer reassembles frames from arbitrary TCP reads. The length field is never trusted beyond
// the configured maximum: a longer frame is skipped byte for byte (counted), so the stream stays in
// step without buffering it. Empty frames are skipped and counted too.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace medicall::net {

class Rfc4571Framer {
 public:
  static constexpr size_t kHeaderSize = 2;
  static constexpr size_t kMaxLength = 0xFFFF;

  struct Counters {
    uint64_t frames = 0;
    uint64_t oversized = 0;  // skipped: longer than maxFrame
    uint64_t empty = 0;      // skipped: length 0
  };

  explicit Rfc4571Framer(size_t maxFrame);

  // Feeds received bytes; calls onFrame for each complete frame (the span is valid during the call
  // only, and may be modified in place).
  void Feed(std::span<const uint8_t> bytes, const std::function<void(std::span<uint8_t>)>& onFrame);

  // Writes the 2-byte header for a frame of `length` bytes into out; false when length is 0 or
  // does not fit the field.
  static bool WriteHeader(size_t length, std::span<uint8_t, kHeaderSize> out);

  // Bytes of a partial frame held (for tests and buffer accounting).
  size_t Pending() const { return frame_.size() + headerHave_; }
  const Counters& GetCounters() const { return counters_; }

 private:
  size_t maxFrame_;
  uint8_t header_[kHeaderSize] = {};
  size_t headerHave_ = 0;
  size_t need_ = 0;  // body bytes still missing for the current frame (0: reading a header)
  size_t skip_ = 0;  // body bytes of an oversized frame still to discard
  std::vector<uint8_t> frame_;
  Counters counters_;
};

}  // namespace medicall::net
