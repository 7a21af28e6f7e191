#pragma once
// ICE-lite, server side (RFC 8445 section 2.5 and 7.3; consent freshness RFC 7675).
//
// We never send checks: we answer the peer's Binding requests. A request is valid when its
// FINGERPRINT verifies, USERNAME is "<ourUfrag>:<theirUfrag>" (theirs checked once known) and
// MESSAGE-INTEGRITY verifies with our password. Valid requests get a success response with
// XOR-MAPPED-ADDRESS = the request's source, sent to that source. Errors (RFC 8489 section 6.3,
// RFC 8445 section 7.3.1.1): 400 missing USERNAME/MESSAGE-INTEGRITY/PRIORITY/role attribute,
// 401 wrong username or integrity, 420 unknown comprehension-required attributes, 487 when the
// peer also claims the controlled role (a lite agent is always controlled). A wrong FINGERPRINT
// is not STUN and is dropped silently.
//
// The selected address is the first validated source, replaced by each source that sends a
// valid check with USE-CANDIDATE (the peer moved: a new nominated pair). Consent: if the selected
// address sends no valid check for `consentTimeout` (30 s), the agent closes (reported as a drop).
#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "webrtc/ice/IceListener.hpp"
#include "webrtc/stun/StunMessage.hpp"

namespace medicall::webrtc::ice {

class IceServer {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr Clock::duration kDefaultConsentTimeout = std::chrono::seconds(30);
  static constexpr size_t kMaxValidated = 8;  // remembered validated source addresses

  struct Counters {
    uint64_t requests = 0;          // Binding requests seen
    uint64_t success = 0;           // success responses sent
    uint64_t badRequest = 0;        // 400 sent
    uint64_t unauthorized = 0;      // 401 sent
    uint64_t unknownAttribute = 0;  // 420 sent
    uint64_t roleConflict = 0;      // 487 sent
    uint64_t badFingerprint = 0;    // dropped silently
    uint64_t ignored = 0;           // indications, responses
  };

  IceServer(IceListener& listener, std::string localUfrag, std::string localPwd,
            Clock::duration consentTimeout = kDefaultConsentTimeout);

  // The peer's ufrag from its SDP; when set, the right half of USERNAME must match it.
  void SetRemoteUfrag(std::string ufrag) { remoteUfrag_ = std::move(ufrag); }
  const std::string& LocalUfrag() const { return localUfrag_; }
  const std::string& LocalPwd() const { return localPwd_; }

  // Handles a STUN message received from `from`.
  void ProcessStun(const stun::StunMessage& message, const stun::TransportAddress& from,
                   Clock::time_point now);
  // Consent freshness; call about once a second.
  void Tick(Clock::time_point now);
  void Close();

  IceState State() const { return state_; }
  const std::optional<stun::TransportAddress>& Selected() const { return selected_; }
  bool IsNominated() const { return nominated_; }
  // True when `address` sent a valid check (DTLS is accepted only from such addresses).
  bool IsValidated(const stun::TransportAddress& address) const;
  const Counters& GetCounters() const { return counters_; }

 private:
  void SendError(const stun::StunMessage& request, const stun::TransportAddress& to, uint16_t code,
                 std::string_view reason, bool withIntegrity);
  void SendSuccess(const stun::StunMessage& request, const stun::TransportAddress& to);
  void RememberValidated(const stun::TransportAddress& address, Clock::time_point now);

  struct Validated {
    stun::TransportAddress address;
    Clock::time_point lastCheck;
  };

  IceListener& listener_;
  std::string localUfrag_;
  std::string localPwd_;
  std::string remoteUfrag_;
  Clock::duration consentTimeout_;
  IceState state_ = IceState::New;
  std::optional<stun::TransportAddress> selected_;
  bool nominated_ = false;
  std::array<Validated, kMaxValidated> validated_{};
  size_t validatedCount_ = 0;
  Counters counters_;
  std::array<uint8_t, 512> sendBuffer_{};
};

}  // namespace medicall::webrtc::ice
