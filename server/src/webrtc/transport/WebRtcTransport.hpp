#pragma once
// One WebRTC peer connection's transport (BUNDLE + rtcp-mux: a single 5-tuple): ICE (lite server
// or controlling client), DTLS-SRTP and RTP/RTCP, for the server and for the C++ test client.
//
// Inbound: the demultiplexer (MediaDemuxer) hands over STUN, DTLS, RTP and RTCP datagrams.
// DTLS is accepted only from an address that passed ICE; SRTP/SRTCP is decrypted in place and
// given to Listener::OnTransportRtp/Rtcp; anything else is dropped and counted by reason.
// Outbound: SendRtp/SendRtcp encrypt in the caller's buffer and send to the selected ICE address.
//
// Roles: Server = ICE-lite + DTLS server (a=setup:passive), Client = ICE controlling + DTLS
// client (a=setup:active). Keys: we send with our DTLS role's key, receive with the peer's.
// Lifetime: one media worker owns it; callbacks run synchronously on that thread. Do not destroy
// the transport inside a callback: post its destruction.
// Time comes only from the callers (Start, ReceiveStun, ReceivePacket, Tick): tests pass their own.
// Liveness (chime-protocol-2.md section 2.6): no valid ICE check from the selected address for
// `consentTimeout` (15 s; browsers check every 2.5-5 s) closes the transport as dropped, and so
// does a DTLS handshake not finished `dtlsTimeout` (10 s) after ICE succeeded.
#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "webrtc/dtls/DtlsTransport.hpp"
#include "webrtc/ice/IceClient.hpp"
#include "webrtc/ice/IceServer.hpp"
#include "webrtc/srtp/SrtpSession.hpp"
#include "webrtc/stun/StunMessage.hpp"
#include "webrtc/transport/PacketClassifier.hpp"

namespace medicall::webrtc::transport {

class WebRtcTransport final : private ice::IceListener, private dtls::DtlsTransport::Listener {
 public:
  using Clock = std::chrono::steady_clock;
  enum class Role : uint8_t { Server, Client };
  enum class CloseReason : uint8_t {
    ConsentExpired,  // no valid ICE check for `consentTimeout`: the peer dropped
    IceFailed,       // client role: checks unanswered
    DtlsFailed,      // handshake failed (e.g. fingerprint mismatch)
    DtlsTimeout,     // ICE succeeded but DTLS did not finish within `dtlsTimeout`
    RemoteClosed,    // DTLS close_notify
    Local,           // Close()
  };
  static std::string_view CloseReasonName(CloseReason reason);
  // Transports of this process closed for `reason` so far (for /metrics; relaxed, closing is rare).
  static uint64_t ClosedCount(CloseReason reason);

  enum class Drop : uint8_t {
    DtlsUnvalidatedAddress,  // DTLS from an address that never passed ICE
    NotConnected,            // RTP/RTCP before the SRTP keys exist
    SrtpAuth,                // failed authentication
    SrtpReplay,              // replayed or too old
    SrtpOther,               // other SRTP errors, bad length
    UnknownKind,             // not STUN/DTLS/RTP/RTCP
    Closed,                  // received after close
  };
  static constexpr size_t kDropKinds = 7;

  // The socket side, implemented by the demultiplexer.
  class Network {
   public:
    virtual ~Network() = default;
    virtual void SendDatagram(std::span<const uint8_t> datagram, const stun::TransportAddress& to) = 0;
    // A remote address passed ICE: route its non-STUN datagrams to `transport`.
    virtual void OnAddressValidated(WebRtcTransport& transport, const stun::TransportAddress& address) = 0;
  };

  class Listener {
   public:
    virtual ~Listener() = default;
    // A decrypted packet; the span may be modified (it is the receive buffer). queuedUs: how long the
    // datagram waited in the kernel before we read it (its arrival is now minus that).
    virtual void OnTransportRtp(WebRtcTransport& transport, std::span<uint8_t> packet, int64_t queuedUs) = 0;
    virtual void OnTransportRtcp(WebRtcTransport& transport, std::span<uint8_t> packet) = 0;
    // DTLS finished and SRTP sessions exist: SendRtp works from now on.
    virtual void OnTransportConnected(WebRtcTransport& transport) {}
    // Called once; the transport ignores everything afterwards.
    virtual void OnTransportClosed(WebRtcTransport& transport, CloseReason reason) = 0;
  };

  struct Options {
    Role role = Role::Server;
    std::string localUfrag;
    std::string localPwd;
    std::string remoteUfrag;  // from the peer's SDP (server: checked in USERNAME if not empty)
    std::string remotePwd;    // client role: signs our checks
    std::string remoteFingerprintAlgorithm = "sha-256";
    std::string remoteFingerprint;  // "AB:CD:..." from the peer's SDP
    dtls::DtlsTransport::Options dtls;
    // No media for this long and the peer is gone (the server then reports the attendee dropped).
    Clock::duration consentTimeout = std::chrono::seconds(15);
    // From the first address passing ICE to DTLS connected.
    Clock::duration dtlsTimeout = std::chrono::seconds(10);
  };

  struct Counters {
    uint64_t rtpIn = 0, rtcpIn = 0, rtpOut = 0, rtcpOut = 0;
    uint64_t sendFailures = 0;  // SendRtp/SendRtcp refused (not connected, protect failed)
    std::array<uint64_t, kDropKinds> drops{};
    uint64_t Dropped(Drop d) const { return drops[static_cast<size_t>(d)]; }
  };

  WebRtcTransport(Options options, std::shared_ptr<const dtls::DtlsCertificate> certificate, Network& network,
                  Listener& listener);
  ~WebRtcTransport() override;
  WebRtcTransport(const WebRtcTransport&) = delete;
  WebRtcTransport& operator=(const WebRtcTransport&) = delete;

  // Server: starts DTLS (waiting for a ClientHello) and answers checks. Client: starts checks
  // to `remote`, then DTLS once ICE is connected. False when the fingerprint is unusable.
  bool Start(Clock::time_point now, std::optional<stun::TransportAddress> remote = std::nullopt);
  void ReceiveStun(const stun::StunMessage& message, const stun::TransportAddress& from,
                   Clock::time_point now);
  // DTLS, RTP or RTCP (as classified by PacketClassifier); RTP/RTCP are decrypted in place.
  void ReceivePacket(PacketKind kind, std::span<uint8_t> datagram, const stun::TransportAddress& from,
                     Clock::time_point now, int64_t queuedUs = 0);
  // ICE consent and retransmissions, DTLS retransmissions; call every 10-50 ms.
  void Tick(Clock::time_point now);
  void Close();

  // Encrypt buffer[0, length) in place and send it; buffer.size() must leave
  // srtp::kSrtpMaxTrailerLength bytes after the packet. False when not connected or on failure.
  bool SendRtp(std::span<uint8_t> buffer, size_t length);
  bool SendRtcp(std::span<uint8_t> buffer, size_t length);

  Role GetRole() const { return options_.role; }
  const std::string& LocalUfrag() const { return options_.localUfrag; }
  bool IsConnected() const { return srtpOut_ != nullptr && !closed_; }
  bool IsClosed() const { return closed_; }
  std::optional<stun::TransportAddress> SelectedAddress() const;
  bool IsValidatedAddress(const stun::TransportAddress& address) const;
  std::optional<srtp::SrtpProfile> NegotiatedProfile() const;
  dtls::DtlsState DtlsState() const { return dtls_->State(); }
  const Counters& GetCounters() const { return counters_; }
  const ice::IceServer* IceServerAgent() const { return iceServer_.get(); }
  const ice::IceClient* IceClientAgent() const { return iceClient_.get(); }

 private:
  // ice::IceListener
  void OnIceSend(std::span<const uint8_t> packet, const stun::TransportAddress& to) override;
  void OnIceSelected(const stun::TransportAddress& remote, bool nominated) override;
  void OnIceClosed(ice::IceCloseReason reason) override;
  // dtls::DtlsTransport::Listener
  void OnDtlsSend(std::span<const uint8_t> datagram) override;
  void OnDtlsStateChange(dtls::DtlsState state, std::string_view reason) override;
  void OnDtlsSrtpKeys(const dtls::DtlsSrtpKeys& keys) override;

  void CountDrop(Drop d) { ++counters_.drops[static_cast<size_t>(d)]; }
  void CountSrtpFailure(const srtp::SrtpSession& session, uint64_t authBefore, uint64_t replayBefore);
  void CloseWith(CloseReason reason);
  void ArmDtlsTimer(Clock::time_point now);
  // Starts the DTLS deadline when ICE has just succeeded.
  void NoteIceProgress(Clock::time_point now);

  Options options_;
  Network& network_;
  Listener& listener_;
  std::unique_ptr<ice::IceServer> iceServer_;
  std::unique_ptr<ice::IceClient> iceClient_;
  std::unique_ptr<dtls::DtlsTransport> dtls_;
  std::unique_ptr<srtp::SrtpSession> srtpIn_;
  std::unique_ptr<srtp::SrtpSession> srtpOut_;
  std::optional<Clock::time_point> dtlsDeadline_;       // next DTLS retransmission
  std::optional<Clock::time_point> handshakeDeadline_;  // ICE succeeded + dtlsTimeout
  Clock::time_point now_{};                             // the time of the call being handled
  bool dtlsStarted_ = false;
  bool closed_ = false;
  Counters counters_;
};

}  // namespace medicall::webrtc::transport
