#pragma once
// Network byte order helpers. Callers check bounds first; these never allocate.
#include <cstddef>
#include <cstdint>
#include <span>

namespace medicall {

inline uint16_t ReadU16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
inline uint32_t ReadU24(const uint8_t* p) {
  return (static_cast<uint32_t>(p[0]) << 16) | (static_cast<uint32_t>(p[1]) << 8) | p[2];
}
inline uint32_t ReadU32(const uint8_t* p) {
  return (static_cast<uint32_t>(p[0]) << 24) | (static_cast<uint32_t>(p[1]) << 16) |
         (static_cast<uint32_t>(p[2]) << 8) | p[3];
}
inline uint64_t ReadU64(const uint8_t* p) {
  return (static_cast<uint64_t>(ReadU32(p)) << 32) | ReadU32(p + 4);
}

inline void WriteU16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
inline void WriteU24(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 16);
  p[1] = static_cast<uint8_t>(v >> 8);
  p[2] = static_cast<uint8_t>(v);
}
inline void WriteU32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}
inline void WriteU64(uint8_t* p, uint64_t v) {
  WriteU32(p, static_cast<uint32_t>(v >> 32));
  WriteU32(p + 4, static_cast<uint32_t>(v));
}

// A bounds-checked cursor over a buffer. Every read reports failure instead of reading past the end.
class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> data) : data_(data) {}
  size_t Remaining() const { return data_.size() - pos_; }
  size_t Position() const { return pos_; }
  bool ReadU8(uint8_t& v) { return Take(1) ? (v = data_[pos_ - 1], true) : false; }
  bool ReadU16(uint16_t& v) { return Take(2) ? (v = medicall::ReadU16(&data_[pos_ - 2]), true) : false; }
  bool ReadU24(uint32_t& v) { return Take(3) ? (v = medicall::ReadU24(&data_[pos_ - 3]), true) : false; }
  bool ReadU32(uint32_t& v) { return Take(4) ? (v = medicall::ReadU32(&data_[pos_ - 4]), true) : false; }
  bool ReadBytes(size_t n, std::span<const uint8_t>& out) {
    if (!Take(n)) return false;
    out = data_.subspan(pos_ - n, n);
    return true;
  }
  bool Skip(size_t n) { return Take(n); }

 private:
  bool Take(size_t n) {
    if (n > Remaining()) return false;
    pos_ += n;
    return true;
  }
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
};

}  // namespace medicall
