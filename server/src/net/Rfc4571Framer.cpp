#include "net/Rfc4571Framer.hpp"

#include <algorithm>

namespace medicall::net {

Rfc4571Framer::Rfc4571Framer(size_t maxFrame) : maxFrame_(std::min(maxFrame, kMaxLength)) {
  frame_.reserve(std::min<size_t>(maxFrame_, 2048));
}

bool Rfc4571Framer::WriteHeader(size_t length, std::span<uint8_t, kHeaderSize> out) {
  if (length == 0 || length > kMaxLength) return false;
  out[0] = static_cast<uint8_t>(length >> 8);
  out[1] = static_cast<uint8_t>(length);
  return true;
}

void Rfc4571Framer::Feed(std::span<const uint8_t> bytes,
                         const std::function<void(std::span<uint8_t>)>& onFrame) {
  while (!bytes.empty()) {
    if (skip_ > 0) {
      const size_t n = std::min(skip_, bytes.size());
      skip_ -= n;
      bytes = bytes.subspan(n);
      continue;
    }
    if (need_ == 0) {
      // Reading the length field.
      header_[headerHave_++] = bytes.front();
      bytes = bytes.subspan(1);
      if (headerHave_ < kHeaderSize) continue;
      headerHave_ = 0;
      const size_t length = (static_cast<size_t>(header_[0]) << 8) | header_[1];
      if (length == 0) {
        ++counters_.empty;
      } else if (length > maxFrame_) {
        ++counters_.oversized;
        skip_ = length;
      } else {
        need_ = length;
        frame_.clear();
      }
      continue;
    }
    const size_t n = std::min(need_, bytes.size());
    frame_.insert(frame_.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
    need_ -= n;
    bytes = bytes.subspan(n);
    if (need_ == 0) {
      ++counters_.frames;
      onFrame(std::span<uint8_t>(frame_.data(), frame_.size()));
      frame_.clear();
    }
  }
}

}  // namespace medicall::net
