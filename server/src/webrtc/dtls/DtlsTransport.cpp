#include "webrtc/dtls/DtlsTransport.hpp"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/time.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "common/Logger.hpp"
#include "webrtc/dtls/OpenSslErrors.hpp"

namespace medicall::webrtc::dtls {

namespace {

constexpr char kExporterLabel[] = "EXTRACTOR-dtls_srtp";  // RFC 5764 section 4.2
constexpr size_t kDtlsRecordHeader = 13;                  // RFC 6347 section 4.1

// The write side: a BIO that hands each write (one DTLS datagram) straight to the transport.
using BioWriteFn = int (*)(BIO*, const char*, int);
using BioCtrlFn = long (*)(BIO*, int, long, void*);

BIO_METHOD* DatagramOutMethod(BioWriteFn write, BioCtrlFn ctrl) {
  static BIO_METHOD* method = [&] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "medicall-dtls-out");
    BIO_meth_set_write(m, write);
    BIO_meth_set_ctrl(m, ctrl);
    BIO_meth_set_create(m, [](BIO* bio) {
      BIO_set_init(bio, 1);
      return 1;
    });
    BIO_meth_set_destroy(m, [](BIO* bio) {
      BIO_set_data(bio, nullptr);
      return 1;
    });
    return m;
  }();
  return method;
}

// "ab:cd:..." -> "AB:CD:..." if it is a well-formed SHA-256 fingerprint, else "".
std::string NormalizeSha256Fingerprint(std::string_view value) {
  if (value.size() != 32 * 3 - 1) return {};
  std::string out(value);
  for (size_t i = 0; i < out.size(); ++i) {
    char c = out[i];
    if (i % 3 == 2) {
      if (c != ':') return {};
    } else {
      if (!std::isxdigit(static_cast<unsigned char>(c))) return {};
      out[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  return out;
}

}  // namespace

std::string_view DtlsStateName(DtlsState state) {
  switch (state) {
    case DtlsState::New:
      return "new";
    case DtlsState::Connecting:
      return "connecting";
    case DtlsState::Connected:
      return "connected";
    case DtlsState::Failed:
      return "failed";
    case DtlsState::Closed:
      return "closed";
  }
  return "?";
}

DtlsTransport::DtlsTransport(std::shared_ptr<const DtlsCertificate> certificate, Listener& listener,
                             Options options)
    : certificate_(std::move(certificate)), listener_(listener), options_(std::move(options)) {}

DtlsTransport::~DtlsTransport() {
  if (ssl_ != nullptr) {
    BIO_set_data(writeBio_, nullptr);
    SSL_free(ssl_);  // frees both BIOs
  }
}

bool DtlsTransport::SetRemoteFingerprint(std::string_view algorithm, std::string_view value) {
  std::string alg(algorithm);
  std::transform(alg.begin(), alg.end(), alg.begin(), [](unsigned char c) { return std::tolower(c); });
  if (alg != "sha-256") return false;
  std::string normalized = NormalizeSha256Fingerprint(value);
  if (normalized.empty()) return false;
  remoteFingerprint_ = std::move(normalized);
  return true;
}

bool DtlsTransport::Start(DtlsRole role) {
  if (state_ != DtlsState::New || !certificate_) return false;
  role_ = role;
  std::string error;
  context_ = DtlsContext::Shared(certificate_, options_.srtpProfiles, &error);
  if (!context_) {
    Fail("OpenSSL setup failed: " + error);
    return false;
  }
  ERR_clear_error();
  ssl_ = SSL_new(context_->Get());
  bool ok = ssl_ != nullptr;
  if (ok) {
    SSL_set_verify(ssl_, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, &DtlsTransport::VerifyCallback);
    SSL_set_app_data(ssl_, this);
    readBio_ = BIO_new(BIO_s_mem());
    writeBio_ = BIO_new(DatagramOutMethod(&DtlsTransport::BioWrite, &DtlsTransport::BioCtrl));
    ok = readBio_ != nullptr && writeBio_ != nullptr;
    if (!ok) {
      BIO_free(readBio_);
      BIO_free(writeBio_);
      readBio_ = writeBio_ = nullptr;
    }
  }
  if (ok) {
    BIO_set_mem_eof_return(readBio_, -1);  // empty = "retry later", not EOF
    BIO_set_data(writeBio_, this);
    SSL_set_bio(ssl_, readBio_, writeBio_);
    ok = DTLS_set_link_mtu(ssl_, static_cast<long>(options_.mtu)) == 1;
    DTLS_set_timer_cb(ssl_, &DtlsTransport::TimerCallback);
    SSL_set_max_cert_list(ssl_, kMaxHandshakeMessage);
  }
  if (!ok) {
    Fail("OpenSSL setup failed: " + OpenSslErrors());
    return false;
  }
  if (role == DtlsRole::Client) {
    SSL_set_connect_state(ssl_);
  } else {
    SSL_set_accept_state(ssl_);
  }
  SetState(DtlsState::Connecting);
  if (role == DtlsRole::Client) Drive();  // sends the ClientHello
  return state_ != DtlsState::Failed;
}

void DtlsTransport::HandleDatagram(std::span<const uint8_t> datagram) {
  if (state_ != DtlsState::Connecting && state_ != DtlsState::Connected) {
    ++dropped_;
    return;
  }
  if (datagram.size() < kDtlsRecordHeader || datagram.size() > kMaxDatagramLength) {
    ++dropped_;
    log::Debug("dtls", "dropping datagram of {} bytes", datagram.size());
    return;
  }
  if (BIO_write(readBio_, datagram.data(), static_cast<int>(datagram.size())) !=
      static_cast<int>(datagram.size())) {
    ++dropped_;
    return;
  }
  Drive();
  // Whatever OpenSSL did not consume (garbage) must not be glued to the next datagram.
  if (readBio_ != nullptr && BIO_ctrl_pending(readBio_) > 0) {
    ++dropped_;
    BIO_reset(readBio_);
  }
}

std::optional<std::chrono::milliseconds> DtlsTransport::TimeoutIn() const {
  if (ssl_ == nullptr || state_ != DtlsState::Connecting) return std::nullopt;
  timeval tv{};
  if (DTLSv1_get_timeout(ssl_, &tv) != 1) return std::nullopt;
  return std::chrono::milliseconds(static_cast<int64_t>(tv.tv_sec) * 1000 + (tv.tv_usec + 999) / 1000);
}

void DtlsTransport::HandleTimeout() {
  if (ssl_ == nullptr || state_ != DtlsState::Connecting) return;
  ERR_clear_error();
  if (DTLSv1_handle_timeout(ssl_) < 0) {
    Fail("handshake timed out");
    return;
  }
  // A timeout may also have let OpenSSL progress (e.g. it only now sees a finished flight).
  Drive();
}

void DtlsTransport::Close() {
  if (state_ == DtlsState::Closed) return;
  if (state_ == DtlsState::Connected && ssl_ != nullptr) {
    ERR_clear_error();
    SSL_shutdown(ssl_);  // writes close_notify through the datagram BIO
  }
  SetState(DtlsState::Closed, "closed locally");
}

bool DtlsTransport::SendApplicationData(std::span<const uint8_t> data) {
  if (state_ != DtlsState::Connected || data.empty() || data.size() > kMaxDatagramLength) return false;
  ERR_clear_error();
  return SSL_write(ssl_, data.data(), static_cast<int>(data.size())) == static_cast<int>(data.size());
}

void DtlsTransport::Drive() {
  ERR_clear_error();
  if (state_ == DtlsState::Connecting) {
    int r = SSL_do_handshake(ssl_);
    if (r == 1) {
      OnHandshakeDone();
    } else {
      int err = SSL_get_error(ssl_, r);
      if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
        std::string reason = failReason_.empty() ? "handshake failed: " + OpenSslErrors() : failReason_;
        Fail(reason);
        return;
      }
    }
  }
  if (state_ != DtlsState::Connected) return;
  std::array<uint8_t, kMaxDatagramLength> buffer;
  for (;;) {
    int n = SSL_read(ssl_, buffer.data(), static_cast<int>(buffer.size()));
    if (n > 0) {
      listener_.OnDtlsApplicationData({buffer.data(), static_cast<size_t>(n)});
      if (state_ != DtlsState::Connected) return;
      continue;
    }
    int err = SSL_get_error(ssl_, n);
    if (err == SSL_ERROR_ZERO_RETURN) {
      SetState(DtlsState::Closed, "close_notify received");
    } else if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
      Fail("fatal DTLS error: " + OpenSslErrors());
    }
    return;
  }
}

bool DtlsTransport::CheckPeerFingerprint(X509* peer, std::string& reason) const {
  if (remoteFingerprint_.empty()) {
    reason = "no remote fingerprint";
    return false;
  }
  if (DtlsCertificate::FingerprintSha256(peer) != remoteFingerprint_) {
    reason = "fingerprint mismatch";
    return false;
  }
  return true;
}

void DtlsTransport::OnHandshakeDone() {
  // The verify callback already checked the certificate; check again on the final session.
  X509* peer = SSL_get1_peer_certificate(ssl_);
  std::string reason;
  bool ok = peer != nullptr && CheckPeerFingerprint(peer, reason);
  X509_free(peer);
  if (!ok) {
    Fail(reason.empty() ? "no peer certificate" : reason);
    return;
  }
  const SRTP_PROTECTION_PROFILE* selected = SSL_get_selected_srtp_profile(ssl_);
  std::optional<srtp::SrtpProfile> profile =
      selected != nullptr ? srtp::SrtpProfileFromId(static_cast<uint16_t>(selected->id)) : std::nullopt;
  if (!profile) {
    Fail("no SRTP profile negotiated");
    return;
  }
  DtlsSrtpKeys keys;
  keys.profile = *profile;
  keys.weAreClient = role_ == DtlsRole::Client;
  const size_t keyLen = srtp::SrtpKeyLength(*profile);
  const size_t saltLen = srtp::SrtpSaltLength(*profile);
  std::array<uint8_t, 2 * (srtp::kSrtpMaxKeyLength + srtp::kSrtpMaxSaltLength)> material{};
  const size_t total = 2 * (keyLen + saltLen);
  if (SSL_export_keying_material(ssl_, material.data(), total, kExporterLabel, sizeof(kExporterLabel) - 1,
                                 nullptr, 0, 0) != 1) {
    Fail("keying material export failed: " + OpenSslErrors());
    return;
  }
  const uint8_t* p = material.data();
  std::copy_n(p, keyLen, keys.clientKey.begin());
  std::copy_n(p + keyLen, keyLen, keys.serverKey.begin());
  std::copy_n(p + 2 * keyLen, saltLen, keys.clientSalt.begin());
  std::copy_n(p + 2 * keyLen + saltLen, saltLen, keys.serverSalt.begin());
  OPENSSL_cleanse(material.data(), material.size());
  log::Info("dtls", "handshake done ({}, {})", role_ == DtlsRole::Client ? "client" : "server",
            srtp::SrtpProfileName(*profile));
  listener_.OnDtlsSrtpKeys(keys);
  OPENSSL_cleanse(&keys, sizeof(keys));
  SetState(DtlsState::Connected);
}

void DtlsTransport::SetState(DtlsState state, std::string_view reason) {
  if (state_ == state) return;
  state_ = state;
  listener_.OnDtlsStateChange(state, reason);
}

void DtlsTransport::Fail(std::string_view reason) {
  if (state_ == DtlsState::Failed || state_ == DtlsState::Closed) return;
  log::Warn("dtls", "failed: {}", reason);
  SetState(DtlsState::Failed, reason);
}

int DtlsTransport::VerifyCallback(int /*preverifyOk*/, X509_STORE_CTX* storeCtx) {
  // Self-signed certificates are the norm in WebRTC: trust comes from the SDP fingerprint, checked
  // on the leaf certificate (depth 0). Chain errors are ignored.
  if (X509_STORE_CTX_get_error_depth(storeCtx) != 0) return 1;
  auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(storeCtx, SSL_get_ex_data_X509_STORE_CTX_idx()));
  auto* self = ssl != nullptr ? static_cast<DtlsTransport*>(SSL_get_app_data(ssl)) : nullptr;
  if (self == nullptr) return 0;
  std::string reason;
  if (!self->CheckPeerFingerprint(X509_STORE_CTX_get_current_cert(storeCtx), reason)) {
    self->failReason_ = reason;
    return 0;
  }
  X509_STORE_CTX_set_error(storeCtx, X509_V_OK);
  return 1;
}

unsigned int DtlsTransport::TimerCallback(SSL* ssl, unsigned int previousUs) {
  auto* self = static_cast<DtlsTransport*>(SSL_get_app_data(ssl));
  // OpenSSL 3.0 treats a timer with less than 15 ms left as expired, so shorter timers would
  // retransmit in a burst inside one call and give up at once: keep every duration >= 30 ms.
  constexpr unsigned int kMinimumUs = 30'000;
  const auto initial =
      std::max(kMinimumUs, static_cast<unsigned int>(self->options_.initialRetransmit.count() * 1000));
  const auto maximum =
      std::max(initial, static_cast<unsigned int>(self->options_.maxRetransmit.count() * 1000));
  if (previousUs == 0) return initial;
  return std::min(previousUs * 2, maximum);
}

int DtlsTransport::BioWrite(BIO* bio, const char* data, int length) {
  auto* self = static_cast<DtlsTransport*>(BIO_get_data(bio));
  if (self == nullptr || length < 0) return -1;
  // During the handshake OpenSSL collects a flight's records in a buffering BIO and writes them here in
  // one piece, flushing when the next record would pass the MTU. Its sums leave out the AEAD overhead
  // (explicit nonce and tag, 24 bytes with AES-GCM) of the records after ChangeCipherSpec, so the
  // client's second flight came out 548 bytes long with an MTU of 524. Split the write at record
  // boundaries so that each datagram keeps within the MTU (a record never spans datagrams, RFC 6347
  // section 4.1.1); a single record larger than the MTU, or bytes that do not parse as records, go as
  // they are.
  const std::span<const uint8_t> out(reinterpret_cast<const uint8_t*>(data), static_cast<size_t>(length));
  const size_t mtu = self->options_.mtu;
  size_t start = 0;
  for (size_t at = 0; at + kDtlsRecordHeader <= out.size();) {
    const size_t record = kDtlsRecordHeader + (static_cast<size_t>(out[at + 11]) << 8 | out[at + 12]);
    if (record > out.size() - at) break;
    if (at > start && at + record - start > mtu) {
      self->listener_.OnDtlsSend(out.subspan(start, at - start));
      start = at;
    }
    at += record;
  }
  self->listener_.OnDtlsSend(out.subspan(start));
  return length;
}

long DtlsTransport::BioCtrl(BIO* bio, int cmd, long /*num*/, void* /*ptr*/) {
  auto* self = static_cast<DtlsTransport*>(BIO_get_data(bio));
  switch (cmd) {
    case BIO_CTRL_FLUSH:
      return 1;
    case BIO_CTRL_DGRAM_QUERY_MTU:
      return self != nullptr ? static_cast<long>(self->options_.mtu) : 0;
    default:  // nothing pending (writes go out at once), no MTU overhead, other controls unsupported
      return 0;
  }
}

}  // namespace medicall::webrtc::dtls
