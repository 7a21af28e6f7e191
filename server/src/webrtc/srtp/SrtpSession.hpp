#pragma once
// One direction of SRTP/SRTCP protection (RFC 3711, RFC 7714) for all SSRCs of a transport, on libsrtp2.
//
// An outbound session protects (encrypts + authenticates) RTP and RTCP in place; an inbound session
// verifies and decrypts them in place, with replay protection (a 1024-packet window per SSRC).
// No allocation per packet: libsrtp allocates one stream per new SSRC, on its first packet.
// Failures return false and are counted per reason; nothing is thrown. Not thread-safe (one worker).
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "webrtc/srtp/SrtpProfile.hpp"

struct srtp_ctx_t_;

namespace medicall::webrtc::srtp {

class SrtpSession {
 public:
  enum class Direction : uint8_t { Inbound, Outbound };

  // Why a packet was refused.
  enum class Failure : uint8_t {
    BadLength,  // shorter than an RTP (12) / RTCP (8) header, or longer than kMaxPacketLength
    NoRoom,     // the buffer has less than kSrtpMaxTrailerLength bytes after the packet (protect)
    AuthFail,   // authentication tag does not verify (tampered, wrong key)
    Replay,     // index already seen (replay) or too old for the window
    Other,      // any other libsrtp error (bad header, cipher failure, ...)
  };
  static constexpr size_t kFailureKinds = 5;
  static constexpr size_t kMaxPacketLength = 65535;

  // Creates a session for `profile` from the master key and salt (lengths SrtpKeyLength/SrtpSaltLength,
  // e.g. as exported by DTLS-SRTP). Returns nullptr on wrong lengths or libsrtp failure.
  // srtp_init() must have run (medicall::InitLibraries()).
  static std::unique_ptr<SrtpSession> Create(Direction direction, SrtpProfile profile,
                                             std::span<const uint8_t> masterKey,
                                             std::span<const uint8_t> masterSalt);
  ~SrtpSession();
  SrtpSession(const SrtpSession&) = delete;
  SrtpSession& operator=(const SrtpSession&) = delete;

  // Outbound only. The packet is buffer[0, length); buffer.size() must be >= length +
  // kSrtpMaxTrailerLength. On success `length` is the protected length.
  bool ProtectRtp(std::span<uint8_t> buffer, size_t& length);
  bool ProtectRtcp(std::span<uint8_t> buffer, size_t& length);
  // Inbound only. The packet is the whole span; on success `length` is the plain length (<= size).
  bool UnprotectRtp(std::span<uint8_t> packet, size_t& length);
  bool UnprotectRtcp(std::span<uint8_t> packet, size_t& length);

  // Forgets the per-SSRC state (replay window, rollover counter) of a stream that ended, so long
  // sessions with SSRC churn do not grow. Returns false if the SSRC was never seen.
  bool RemoveStream(uint32_t ssrc);

  Direction GetDirection() const { return direction_; }
  SrtpProfile Profile() const { return profile_; }
  uint64_t Failures(Failure why) const { return failures_[static_cast<size_t>(why)]; }
  uint64_t Successes() const { return successes_; }

 private:
  SrtpSession(Direction direction, SrtpProfile profile, srtp_ctx_t_* ctx);
  bool Fail(Failure why);
  bool Protect(std::span<uint8_t> buffer, size_t& length, bool rtcp);
  bool Unprotect(std::span<uint8_t> packet, size_t& length, bool rtcp);

  Direction direction_;
  SrtpProfile profile_;
  srtp_ctx_t_* ctx_;
  uint64_t successes_ = 0;
  std::array<uint64_t, kFailureKinds> failures_{};
};

}  // namespace medicall::webrtc::srtp
