#pragma once
// SRTP protection profiles negotiated through DTLS-SRTP (RFC 5764 section 4.1.2, RFC 7714 section 14.2)
// and their key sizes. Shared by the DTLS module (profile selection, key export) and SrtpSession.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace medicall::webrtc::srtp {

enum class SrtpProfile : uint8_t {
  AeadAes128Gcm,        // SRTP_AEAD_AES_128_GCM (0x0007): 16-byte key, 12-byte salt, 16-byte tag
  AesCm128HmacSha1_80,  // SRTP_AES128_CM_HMAC_SHA1_80 (0x0001): 16-byte key, 14-byte salt, 10-byte tag
};

// Most bytes Protect* appends for our profiles: a 16-byte tag plus the 4-byte SRTCP index.
// Callers leave this much room after the packet in the buffer they hand to SrtpSession.
inline constexpr size_t kSrtpMaxTrailerLength = 20;
inline constexpr size_t kSrtpMaxKeyLength = 16;
inline constexpr size_t kSrtpMaxSaltLength = 14;

constexpr size_t SrtpKeyLength(SrtpProfile) { return 16; }
constexpr size_t SrtpSaltLength(SrtpProfile p) { return p == SrtpProfile::AeadAes128Gcm ? 12 : 14; }
constexpr size_t SrtpTagLength(SrtpProfile p) { return p == SrtpProfile::AeadAes128Gcm ? 16 : 10; }

// The IANA DTLS-SRTP protection profile id (RFC 5764 section 4.1.2, RFC 7714 section 14.2).
constexpr uint16_t SrtpProfileId(SrtpProfile p) { return p == SrtpProfile::AeadAes128Gcm ? 0x0007 : 0x0001; }
inline std::optional<SrtpProfile> SrtpProfileFromId(uint16_t id) {
  if (id == 0x0007) return SrtpProfile::AeadAes128Gcm;
  if (id == 0x0001) return SrtpProfile::AesCm128HmacSha1_80;
  return std::nullopt;
}

// OpenSSL's name for the profile, as used by SSL_CTX_set_tlsext_use_srtp().
constexpr std::string_view SrtpProfileName(SrtpProfile p) {
  return p == SrtpProfile::AeadAes128Gcm ? "SRTP_AEAD_AES_128_GCM" : "SRTP_AES128_CM_SHA1_80";
}

}  // namespace medicall::webrtc::srtp
