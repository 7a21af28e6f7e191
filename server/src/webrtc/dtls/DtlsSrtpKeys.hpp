#pragma once
// SRTP master keys exported from a finished DTLS handshake (RFC 5764 section 4.2):
// EXTRACTOR-dtls_srtp output = client_key | server_key | client_salt | server_salt.
#include <array>
#include <cstdint>
#include <span>

#include "webrtc/srtp/SrtpProfile.hpp"

namespace medicall::webrtc::dtls {

struct DtlsSrtpKeys {
  srtp::SrtpProfile profile = srtp::SrtpProfile::AeadAes128Gcm;
  std::array<uint8_t, srtp::kSrtpMaxKeyLength> clientKey{};
  std::array<uint8_t, srtp::kSrtpMaxKeyLength> serverKey{};
  std::array<uint8_t, srtp::kSrtpMaxSaltLength> clientSalt{};
  std::array<uint8_t, srtp::kSrtpMaxSaltLength> serverSalt{};
  bool weAreClient = false;  // the local DTLS role

  std::span<const uint8_t> ClientKey() const { return {clientKey.data(), srtp::SrtpKeyLength(profile)}; }
  std::span<const uint8_t> ServerKey() const { return {serverKey.data(), srtp::SrtpKeyLength(profile)}; }
  std::span<const uint8_t> ClientSalt() const { return {clientSalt.data(), srtp::SrtpSaltLength(profile)}; }
  std::span<const uint8_t> ServerSalt() const { return {serverSalt.data(), srtp::SrtpSaltLength(profile)}; }
  // Keys for our outbound SrtpSession (what we send) and inbound one (what the peer sends).
  std::span<const uint8_t> LocalKey() const { return weAreClient ? ClientKey() : ServerKey(); }
  std::span<const uint8_t> LocalSalt() const { return weAreClient ? ClientSalt() : ServerSalt(); }
  std::span<const uint8_t> RemoteKey() const { return weAreClient ? ServerKey() : ClientKey(); }
  std::span<const uint8_t> RemoteSalt() const { return weAreClient ? ServerSalt() : ClientSalt(); }
};

}  // namespace medicall::webrtc::dtls
