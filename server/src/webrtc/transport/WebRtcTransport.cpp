#include "webrtc/transport/WebRtcTransport.hpp"

#include <atomic>

#include "common/Logger.hpp"

namespace medicall::webrtc::transport {

using srtp::SrtpSession;
using stun::TransportAddress;

std::string_view WebRtcTransport::CloseReasonName(CloseReason reason) {
  switch (reason) {
    case CloseReason::ConsentExpired:
      return "consent expired";
    case CloseReason::IceFailed:
      return "ice failed";
    case CloseReason::DtlsFailed:
      return "dtls failed";
    case CloseReason::DtlsTimeout:
      return "dtls timeout";
    case CloseReason::RemoteClosed:
      return "remote closed";
    case CloseReason::Local:
      return "local";
  }
  return "?";
}

namespace {
std::array<std::atomic<uint64_t>, 6> closedByReason{};
}  // namespace

uint64_t WebRtcTransport::ClosedCount(CloseReason reason) {
  const auto i = static_cast<size_t>(reason);
  return i < closedByReason.size() ? closedByReason[i].load(std::memory_order_relaxed) : 0;
}

WebRtcTransport::WebRtcTransport(Options options, std::shared_ptr<const dtls::DtlsCertificate> certificate,
                                 Network& network, Listener& listener)
    : options_(std::move(options)), network_(network), listener_(listener) {
  if (options_.role == Role::Server) {
    iceServer_ = std::make_unique<ice::IceServer>(static_cast<ice::IceListener&>(*this), options_.localUfrag,
                                                  options_.localPwd, options_.consentTimeout);
    if (!options_.remoteUfrag.empty()) iceServer_->SetRemoteUfrag(options_.remoteUfrag);
  } else {
    ice::IceClient::Options iceOptions;
    iceOptions.consentTimeout = options_.consentTimeout;
    iceClient_ = std::make_unique<ice::IceClient>(static_cast<ice::IceListener&>(*this), options_.localUfrag,
                                                  options_.localPwd, options_.remoteUfrag, options_.remotePwd,
                                                  iceOptions);
  }
  dtls_ = std::make_unique<dtls::DtlsTransport>(
      std::move(certificate), static_cast<dtls::DtlsTransport::Listener&>(*this), options_.dtls);
}

WebRtcTransport::~WebRtcTransport() = default;

bool WebRtcTransport::Start(Clock::time_point now, std::optional<TransportAddress> remote) {
  now_ = now;
  if (!dtls_->SetRemoteFingerprint(options_.remoteFingerprintAlgorithm, options_.remoteFingerprint)) {
    log::Warn("dtls", "transport {}: unusable remote fingerprint", options_.localUfrag);
    return false;
  }
  if (options_.role == Role::Server) {
    dtlsStarted_ = dtls_->Start(dtls::DtlsRole::Server);
    ArmDtlsTimer(now);
    return dtlsStarted_;
  }
  if (!remote) return false;
  network_.OnAddressValidated(*this, *remote);  // responses come back from where we send
  iceClient_->Start(*remote, now);
  return true;
}

std::optional<TransportAddress> WebRtcTransport::SelectedAddress() const {
  return iceServer_ ? iceServer_->Selected() : iceClient_->Selected();
}

bool WebRtcTransport::IsValidatedAddress(const TransportAddress& address) const {
  if (closed_) return false;
  if (iceServer_) return iceServer_->IsValidated(address);
  return iceClient_->Selected() == address;
}

std::optional<srtp::SrtpProfile> WebRtcTransport::NegotiatedProfile() const {
  if (!srtpOut_) return std::nullopt;
  return srtpOut_->Profile();
}

void WebRtcTransport::ReceiveStun(const stun::StunMessage& message, const TransportAddress& from,
                                  Clock::time_point now) {
  if (closed_) {
    CountDrop(Drop::Closed);
    return;
  }
  now_ = now;
  if (iceServer_) {
    iceServer_->ProcessStun(message, from, now);
  } else {
    iceClient_->ProcessStun(message, from, now);
  }
  NoteIceProgress(now);
}

void WebRtcTransport::NoteIceProgress(Clock::time_point now) {
  if (closed_ || handshakeDeadline_ || srtpOut_ || !SelectedAddress()) return;
  handshakeDeadline_ = now + options_.dtlsTimeout;
}

void WebRtcTransport::ReceivePacket(PacketKind kind, std::span<uint8_t> datagram,
                                    const TransportAddress& from, Clock::time_point now, int64_t queuedUs) {
  if (closed_) {
    CountDrop(Drop::Closed);
    return;
  }
  now_ = now;
  switch (kind) {
    case PacketKind::Dtls: {
      if (!IsValidatedAddress(from)) {
        CountDrop(Drop::DtlsUnvalidatedAddress);
        return;
      }
      dtls_->HandleDatagram(datagram);
      if (!closed_) ArmDtlsTimer(now);
      return;
    }
    case PacketKind::Rtp:
    case PacketKind::Rtcp: {
      if (!srtpIn_) {
        CountDrop(Drop::NotConnected);
        return;
      }
      const uint64_t authBefore = srtpIn_->Failures(SrtpSession::Failure::AuthFail);
      const uint64_t replayBefore = srtpIn_->Failures(SrtpSession::Failure::Replay);
      size_t length = 0;
      const bool rtp = kind == PacketKind::Rtp;
      const bool ok =
          rtp ? srtpIn_->UnprotectRtp(datagram, length) : srtpIn_->UnprotectRtcp(datagram, length);
      if (!ok) {
        CountSrtpFailure(*srtpIn_, authBefore, replayBefore);
        return;
      }
      if (rtp) {
        ++counters_.rtpIn;
        listener_.OnTransportRtp(*this, datagram.first(length), queuedUs);
      } else {
        ++counters_.rtcpIn;
        listener_.OnTransportRtcp(*this, datagram.first(length));
      }
      return;
    }
    default:
      CountDrop(Drop::UnknownKind);
      return;
  }
}

void WebRtcTransport::CountSrtpFailure(const SrtpSession& session, uint64_t authBefore,
                                       uint64_t replayBefore) {
  if (session.Failures(SrtpSession::Failure::AuthFail) != authBefore) {
    CountDrop(Drop::SrtpAuth);
  } else if (session.Failures(SrtpSession::Failure::Replay) != replayBefore) {
    CountDrop(Drop::SrtpReplay);
  } else {
    CountDrop(Drop::SrtpOther);
  }
}

void WebRtcTransport::Tick(Clock::time_point now) {
  if (closed_) return;
  now_ = now;
  if (iceServer_) {
    iceServer_->Tick(now);
  } else {
    iceClient_->Tick(now);
  }
  if (closed_) return;
  NoteIceProgress(now);
  if (handshakeDeadline_ && !srtpOut_ && now >= *handshakeDeadline_) {
    log::Info("dtls", "transport {}: no DTLS handshake {} ms after ICE, closing", options_.localUfrag,
              std::chrono::duration_cast<std::chrono::milliseconds>(options_.dtlsTimeout).count());
    CloseWith(CloseReason::DtlsTimeout);
    return;
  }
  if (dtlsDeadline_ && now >= *dtlsDeadline_) {
    dtlsDeadline_.reset();
    dtls_->HandleTimeout();
    if (!closed_) ArmDtlsTimer(now);
  }
}

void WebRtcTransport::ArmDtlsTimer(Clock::time_point now) {
  auto in = dtls_->TimeoutIn();
  if (in) {
    dtlsDeadline_ = now + *in;
  } else {
    dtlsDeadline_.reset();
  }
}

void WebRtcTransport::Close() { CloseWith(CloseReason::Local); }

void WebRtcTransport::CloseWith(CloseReason reason) {
  if (closed_) return;
  closed_ = true;
  if (static_cast<size_t>(reason) < closedByReason.size())
    closedByReason[static_cast<size_t>(reason)].fetch_add(1, std::memory_order_relaxed);
  log::Info("ice", "transport {} closed: {}", options_.localUfrag, CloseReasonName(reason));
  dtls_->Close();  // sends close_notify when connected; our listener ignores it now
  srtpOut_.reset();
  srtpIn_.reset();
  listener_.OnTransportClosed(*this, reason);
}

bool WebRtcTransport::SendRtp(std::span<uint8_t> buffer, size_t length) {
  auto to = SelectedAddress();
  if (closed_ || !srtpOut_ || !to || !srtpOut_->ProtectRtp(buffer, length)) {
    ++counters_.sendFailures;
    return false;
  }
  ++counters_.rtpOut;
  network_.SendDatagram(buffer.first(length), *to);
  return true;
}

bool WebRtcTransport::SendRtcp(std::span<uint8_t> buffer, size_t length) {
  auto to = SelectedAddress();
  if (closed_ || !srtpOut_ || !to || !srtpOut_->ProtectRtcp(buffer, length)) {
    ++counters_.sendFailures;
    return false;
  }
  ++counters_.rtcpOut;
  network_.SendDatagram(buffer.first(length), *to);
  return true;
}

void WebRtcTransport::OnIceSend(std::span<const uint8_t> packet, const TransportAddress& to) {
  network_.SendDatagram(packet, to);
}

void WebRtcTransport::OnIceSelected(const TransportAddress& remote, bool nominated) {
  network_.OnAddressValidated(*this, remote);
  if (options_.role == Role::Client && !dtlsStarted_) {
    dtlsStarted_ = dtls_->Start(dtls::DtlsRole::Client);
    ArmDtlsTimer(now_);
  }
}

void WebRtcTransport::OnIceClosed(ice::IceCloseReason reason) {
  switch (reason) {
    case ice::IceCloseReason::ConsentExpired:
      CloseWith(CloseReason::ConsentExpired);
      break;
    case ice::IceCloseReason::ChecksFailed:
      CloseWith(CloseReason::IceFailed);
      break;
    case ice::IceCloseReason::Local:
      CloseWith(CloseReason::Local);
      break;
  }
}

void WebRtcTransport::OnDtlsSend(std::span<const uint8_t> datagram) {
  auto to = SelectedAddress();
  if (to) network_.SendDatagram(datagram, *to);
}

void WebRtcTransport::OnDtlsStateChange(dtls::DtlsState state, std::string_view reason) {
  if (closed_) return;
  log::Debug("dtls", "transport {}: {} {}", options_.localUfrag, dtls::DtlsStateName(state), reason);
  switch (state) {
    case dtls::DtlsState::Connected:
      if (srtpOut_) listener_.OnTransportConnected(*this);
      break;
    case dtls::DtlsState::Failed:
      log::Warn("dtls", "transport {}: handshake failed: {}", options_.localUfrag, reason);
      CloseWith(CloseReason::DtlsFailed);
      break;
    case dtls::DtlsState::Closed:
      CloseWith(CloseReason::RemoteClosed);
      break;
    default:
      break;
  }
}

void WebRtcTransport::OnDtlsSrtpKeys(const dtls::DtlsSrtpKeys& keys) {
  srtpOut_ =
      SrtpSession::Create(SrtpSession::Direction::Outbound, keys.profile, keys.LocalKey(), keys.LocalSalt());
  srtpIn_ =
      SrtpSession::Create(SrtpSession::Direction::Inbound, keys.profile, keys.RemoteKey(), keys.RemoteSalt());
  if (!srtpOut_ || !srtpIn_) {
    log::Error("srtp", "transport {}: cannot create SRTP sessions", options_.localUfrag);
    srtpOut_.reset();
    srtpIn_.reset();
    return;
  }
  log::Info("dtls", "transport {}: connected, {}", options_.localUfrag, srtp::SrtpProfileName(keys.profile));
}

}  // namespace medicall::webrtc::transport
