#pragma once
// NTP timestamps (RFC 3550 section 4): 64-bit fixed point, seconds since 1900-01-01 in the high 32
// bits. Sender reports carry the full value; LSR/DLSR in report blocks use the middle 32 bits
// (16.16), from which the round-trip time is computed (RFC 3550 section 6.4.1).
#include <cstdint>

namespace medicall::ntp {

constexpr uint64_t kUnixOffsetSeconds = 2'208'988'800ULL;  // 1900 to 1970 (RFC 868)

// Unix microseconds to the 64-bit NTP format.
inline uint64_t FromUnixUs(int64_t unixUs) {
  const auto us = static_cast<uint64_t>(unixUs < 0 ? 0 : unixUs);
  const uint64_t seconds = us / 1'000'000 + kUnixOffsetSeconds;
  const uint64_t fraction = ((us % 1'000'000) << 32) / 1'000'000;
  return (seconds << 32) | fraction;
}

// The middle 32 bits (the "compact" 16.16 form used by LSR and DLSR).
inline uint32_t Compact(uint64_t ntp) { return static_cast<uint32_t>(ntp >> 16); }

// A compact NTP interval (1/65536 s units) in microseconds.
inline int64_t CompactToUs(uint32_t compact) { return (static_cast<int64_t>(compact) * 1'000'000) >> 16; }

// Microseconds to the compact form.
inline uint32_t UsToCompact(int64_t us) { return static_cast<uint32_t>((us << 16) / 1'000'000); }

// Round-trip time from a report block (RFC 3550 section 6.4.1): arrival - LSR - DLSR, all compact.
// Returns -1 when the block carries no LSR or the result is negative (clock noise).
inline int64_t RoundTripUs(uint32_t arrivalCompact, uint32_t lsr, uint32_t dlsr) {
  if (lsr == 0) return -1;
  const auto rtt = static_cast<int32_t>(arrivalCompact - lsr - dlsr);
  return rtt < 0 ? -1 : CompactToUs(static_cast<uint32_t>(rtt));
}

}  // namespace medicall::ntp
