#pragma once
// DTLS 1.2 for DTLS-SRTP (RFC 5764, RFC 8827) on OpenSSL, without sockets.
//
// The owner feeds received DTLS datagrams (first byte 20..63, RFC 7983) to HandleDatagram(); the
// transport hands every datagram it wants to send to Listener::OnDtlsSend(), one DTLS datagram per
// call, each at most the configured MTU. Retransmission is timer-driven: after every call into the
// transport (Start, HandleDatagram, HandleTimeout) read TimeoutIn() and, if it has a value, call
// HandleTimeout() once that time has passed (re-arm the owner's timer each time).
//
// Roles: Server (we answer with a=setup:passive and wait for the ClientHello) or Client (the C++ test
// client, a=setup:active). The peer certificate must match the fingerprint from the remote SDP
// (SetRemoteFingerprint, sha-256 only); a mismatch fails the handshake and the state goes to Failed.
// use_srtp offers SRTP_AEAD_AES_128_GCM first, then SRTP_AES128_CM_SHA1_80 (server preference wins).
// On success the keying material (RFC 5764 section 4.2) goes to Listener::OnDtlsSrtpKeys() before
// the state becomes Connected. A close_notify from the peer moves the state to Closed.
//
// Listener callbacks run synchronously inside these methods: do not destroy the transport from them.
// Not thread-safe; one media worker owns it.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "webrtc/dtls/DtlsCertificate.hpp"
#include "webrtc/dtls/DtlsContext.hpp"
#include "webrtc/dtls/DtlsSrtpKeys.hpp"

using SSL = struct ssl_st;
using BIO = struct bio_st;
using X509_STORE_CTX = struct x509_store_ctx_st;

namespace medicall::webrtc::dtls {

enum class DtlsRole : uint8_t { Client, Server };
enum class DtlsState : uint8_t { New, Connecting, Connected, Failed, Closed };
std::string_view DtlsStateName(DtlsState state);

class DtlsTransport {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    // A datagram to send to the peer's (ICE-validated) address.
    virtual void OnDtlsSend(std::span<const uint8_t> datagram) = 0;
    // Every state change; `reason` explains Failed/Closed (e.g. "fingerprint mismatch").
    virtual void OnDtlsStateChange(DtlsState state, std::string_view reason) = 0;
    // Once per successful handshake, just before the Connected state change.
    virtual void OnDtlsSrtpKeys(const DtlsSrtpKeys& keys) = 0;
    // Application data received after the handshake (SCTP for data channels); ignored by default.
    virtual void OnDtlsApplicationData(std::span<const uint8_t> data) {}
  };

  struct Options {
    size_t mtu = 1200;  // largest datagram we emit (DTLS_set_link_mtu)
    // Offered/accepted SRTP profiles in preference order.
    std::vector<srtp::SrtpProfile> srtpProfiles{srtp::SrtpProfile::AeadAes128Gcm,
                                                srtp::SrtpProfile::AesCm128HmacSha1_80};
    // Retransmission timer: starts at initialRetransmit, doubles up to maxRetransmit; both are raised
    // to at least 30 ms (OpenSSL counts the last 15 ms of a timer as expired). OpenSSL gives up
    // (state Failed, "handshake timed out") after 12 unanswered retransmissions.
    std::chrono::milliseconds initialRetransmit{100};
    std::chrono::milliseconds maxRetransmit{3000};
  };

  static constexpr size_t kMaxDatagramLength = 4096;       // larger inputs are dropped and counted
  static constexpr long kMaxHandshakeMessage = 16 * 1024;  // bounds OpenSSL's fragment reassembly

  DtlsTransport(std::shared_ptr<const DtlsCertificate> certificate, Listener& listener, Options options);
  DtlsTransport(std::shared_ptr<const DtlsCertificate> certificate, Listener& listener)
      : DtlsTransport(std::move(certificate), listener, Options{}) {}
  ~DtlsTransport();
  DtlsTransport(const DtlsTransport&) = delete;
  DtlsTransport& operator=(const DtlsTransport&) = delete;

  // The peer's a=fingerprint. Only "sha-256" is accepted (case-insensitive); the value is
  // "AB:CD:..." (any case). Returns false for another algorithm or a malformed value.
  // Must be called before the handshake completes.
  bool SetRemoteFingerprint(std::string_view algorithm, std::string_view value);

  // Starts the handshake in `role` (Client sends its ClientHello at once). Returns false if
  // already started or OpenSSL setup failed (state Failed).
  bool Start(DtlsRole role);

  // One received DTLS datagram (record layer, content types 20..63).
  void HandleDatagram(std::span<const uint8_t> datagram);

  // Time until HandleTimeout() should be called, or nullopt when no retransmission timer runs.
  std::optional<std::chrono::milliseconds> TimeoutIn() const;
  void HandleTimeout();

  // Sends close_notify (if connected) and moves to Closed. Idempotent.
  void Close();

  // Sends application data over DTLS (Connected only). Returns false otherwise.
  bool SendApplicationData(std::span<const uint8_t> data);

  DtlsState State() const { return state_; }
  std::optional<DtlsRole> Role() const { return role_; }
  const std::string& LocalFingerprint() const { return certificate_->Fingerprint(); }
  // The shared OpenSSL context (one per certificate and profile list), nullptr before Start.
  const DtlsContext* Context() const { return context_.get(); }
  // Datagrams dropped before OpenSSL saw them (too big, wrong state) or that OpenSSL rejected.
  uint64_t DroppedDatagrams() const { return dropped_; }

 private:
  static int VerifyCallback(int preverifyOk, X509_STORE_CTX* storeCtx);
  static unsigned int TimerCallback(SSL* ssl, unsigned int previousUs);
  static int BioWrite(BIO* bio, const char* data, int length);
  static long BioCtrl(BIO* bio, int cmd, long num, void* ptr);

  void Drive();  // runs the handshake or reads application data, then checks the outcome
  bool CheckPeerFingerprint(X509* peer, std::string& reason) const;
  void OnHandshakeDone();
  void SetState(DtlsState state, std::string_view reason = {});
  void Fail(std::string_view reason);

  std::shared_ptr<const DtlsCertificate> certificate_;
  Listener& listener_;
  Options options_;
  std::shared_ptr<const DtlsContext> context_;  // outlives ssl_ (declared before it)
  SSL* ssl_ = nullptr;
  BIO* readBio_ = nullptr;         // memory BIO: HandleDatagram writes, OpenSSL reads
  BIO* writeBio_ = nullptr;        // each OpenSSL write is one datagram, forwarded to OnDtlsSend
  std::string remoteFingerprint_;  // uppercase "AB:CD:..."
  std::optional<DtlsRole> role_;
  DtlsState state_ = DtlsState::New;
  uint64_t dropped_ = 0;
  std::string failReason_;
};

}  // namespace medicall::webrtc::dtls
