#include "webrtc/srtp/SrtpSession.hpp"

#include <arpa/inet.h>
#include <srtp2/srtp.h>

#include <climits>
#include <cstring>

#include "common/Logger.hpp"

namespace medicall::webrtc::srtp {

namespace {

constexpr size_t kMinRtpLength = 12;  // fixed RTP header (RFC 3550 section 5.1)
constexpr size_t kMinRtcpLength = 8;  // RTCP header + sender SSRC (RFC 3550 section 6.4)
constexpr unsigned long kReplayWindow = 1024;

}  // namespace

std::unique_ptr<SrtpSession> SrtpSession::Create(Direction direction, SrtpProfile profile,
                                                 std::span<const uint8_t> masterKey,
                                                 std::span<const uint8_t> masterSalt) {
  if (masterKey.size() != SrtpKeyLength(profile) || masterSalt.size() != SrtpSaltLength(profile)) {
    log::Warn("srtp", "wrong key/salt length {}/{}", masterKey.size(), masterSalt.size());
    return nullptr;
  }
  // libsrtp wants key || salt in one buffer; it copies it during srtp_create.
  std::array<uint8_t, kSrtpMaxKeyLength + kSrtpMaxSaltLength> keyAndSalt{};
  std::memcpy(keyAndSalt.data(), masterKey.data(), masterKey.size());
  std::memcpy(keyAndSalt.data() + masterKey.size(), masterSalt.data(), masterSalt.size());

  srtp_policy_t policy;
  std::memset(&policy, 0, sizeof(policy));
  if (profile == SrtpProfile::AeadAes128Gcm) {
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
  } else {
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
  }
  policy.ssrc.type = direction == Direction::Inbound ? ssrc_any_inbound : ssrc_any_outbound;
  policy.ssrc.value = 0;
  policy.key = keyAndSalt.data();
  policy.window_size = kReplayWindow;
  // Outbound: a retransmission (NACK without RTX) re-protects a packet with an index already used.
  // Inbound replay protection is always on.
  policy.allow_repeat_tx = direction == Direction::Outbound ? 1 : 0;
  policy.next = nullptr;

  srtp_t ctx = nullptr;
  srtp_err_status_t status = srtp_create(&ctx, &policy);
  std::memset(keyAndSalt.data(), 0, keyAndSalt.size());
  if (status != srtp_err_status_ok) {
    log::Warn("srtp", "srtp_create failed: {}", static_cast<int>(status));
    return nullptr;
  }
  return std::unique_ptr<SrtpSession>(new SrtpSession(direction, profile, ctx));
}

SrtpSession::SrtpSession(Direction direction, SrtpProfile profile, srtp_ctx_t_* ctx)
    : direction_(direction), profile_(profile), ctx_(ctx) {}

SrtpSession::~SrtpSession() {
  if (ctx_ != nullptr) srtp_dealloc(ctx_);
}

bool SrtpSession::RemoveStream(uint32_t ssrc) {
  return srtp_remove_stream(ctx_, htonl(ssrc)) == srtp_err_status_ok;
}

bool SrtpSession::Fail(Failure why) {
  ++failures_[static_cast<size_t>(why)];
  return false;
}

bool SrtpSession::ProtectRtp(std::span<uint8_t> buffer, size_t& length) {
  return Protect(buffer, length, false);
}
bool SrtpSession::ProtectRtcp(std::span<uint8_t> buffer, size_t& length) {
  return Protect(buffer, length, true);
}
bool SrtpSession::UnprotectRtp(std::span<uint8_t> packet, size_t& length) {
  return Unprotect(packet, length, false);
}
bool SrtpSession::UnprotectRtcp(std::span<uint8_t> packet, size_t& length) {
  return Unprotect(packet, length, true);
}

bool SrtpSession::Protect(std::span<uint8_t> buffer, size_t& length, bool rtcp) {
  if (direction_ != Direction::Outbound) return Fail(Failure::Other);
  if (length < (rtcp ? kMinRtcpLength : kMinRtpLength) || length > kMaxPacketLength) {
    return Fail(Failure::BadLength);
  }
  if (length > buffer.size() || buffer.size() - length < kSrtpMaxTrailerLength) return Fail(Failure::NoRoom);
  int len = static_cast<int>(length);
  srtp_err_status_t status =
      rtcp ? srtp_protect_rtcp(ctx_, buffer.data(), &len) : srtp_protect(ctx_, buffer.data(), &len);
  if (status != srtp_err_status_ok) {
    log::Debug("srtp", "protect{} failed: {}", rtcp ? "_rtcp" : "", static_cast<int>(status));
    return Fail(status == srtp_err_status_replay_fail || status == srtp_err_status_replay_old
                    ? Failure::Replay
                    : Failure::Other);
  }
  length = static_cast<size_t>(len);
  ++successes_;
  return true;
}

bool SrtpSession::Unprotect(std::span<uint8_t> packet, size_t& length, bool rtcp) {
  if (direction_ != Direction::Inbound) return Fail(Failure::Other);
  // The shortest valid SRTP/SRTCP packet still has a header and a tag (and the SRTCP index).
  size_t minimum = (rtcp ? kMinRtcpLength + 4 : kMinRtpLength) + SrtpTagLength(profile_);
  if (packet.size() < minimum || packet.size() > kMaxPacketLength) return Fail(Failure::BadLength);
  int len = static_cast<int>(packet.size());
  srtp_err_status_t status =
      rtcp ? srtp_unprotect_rtcp(ctx_, packet.data(), &len) : srtp_unprotect(ctx_, packet.data(), &len);
  switch (status) {
    case srtp_err_status_ok:
      length = static_cast<size_t>(len);
      ++successes_;
      return true;
    case srtp_err_status_auth_fail:
      log::Debug("srtp", "unprotect{}: authentication failed", rtcp ? "_rtcp" : "");
      return Fail(Failure::AuthFail);
    case srtp_err_status_replay_fail:
    case srtp_err_status_replay_old:
      log::Debug("srtp", "unprotect{}: replayed or too old", rtcp ? "_rtcp" : "");
      return Fail(Failure::Replay);
    default:
      log::Debug("srtp", "unprotect{} failed: {}", rtcp ? "_rtcp" : "", static_cast<int>(status));
      return Fail(Failure::Other);
  }
}

}  // namespace medicall::webrtc::srtp
