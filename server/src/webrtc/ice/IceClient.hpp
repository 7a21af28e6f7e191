#pragma once
// ICE, client (controlling) role against an ICE-lite server, so C++ code can act like a browser
// in tests and load generation (RFC 8445 sections 7.2 and 8.1.1, aggressive nomination).
//
// Sends Binding requests to the server's candidate with USERNAME "<theirUfrag>:<ourUfrag>",
// PRIORITY, ICE-CONTROLLING, USE-CANDIDATE, MESSAGE-INTEGRITY (their password) and FINGERPRINT;
// retransmits with a doubling timeout (RFC 8489 section 6.2.1: RTO 100 ms here, Rc = 7). The
// first authenticated success response from the address we sent to selects the pair. Afterwards a
// consent check goes out every `consentInterval`; no answer for `consentTimeout` closes the agent.
#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "webrtc/ice/IceListener.hpp"
#include "webrtc/stun/StunMessage.hpp"

namespace medicall::webrtc::ice {

class IceClient {
 public:
  using Clock = std::chrono::steady_clock;

  struct Options {
    Clock::duration initialRto = std::chrono::milliseconds(100);
    int maxTransmissions = 7;
    Clock::duration consentInterval = std::chrono::seconds(5);
    Clock::duration consentTimeout = std::chrono::seconds(30);
    uint32_t priority = 1853824767;  // a host candidate's priority, as browsers send
  };

  IceClient(IceListener& listener, std::string localUfrag, std::string localPwd, std::string remoteUfrag,
            std::string remotePwd, Options options);
  IceClient(IceListener& listener, std::string localUfrag, std::string localPwd, std::string remoteUfrag,
            std::string remotePwd)
      : IceClient(listener, std::move(localUfrag), std::move(localPwd), std::move(remoteUfrag),
                  std::move(remotePwd), Options{}) {}

  // Starts checking `remote` (the server's host candidate).
  void Start(const stun::TransportAddress& remote, Clock::time_point now);
  // Responses from the server (and requests, which a lite server never sends: ignored).
  void ProcessStun(const stun::StunMessage& message, const stun::TransportAddress& from,
                   Clock::time_point now);
  // Retransmissions and consent checks; call every 10-50 ms.
  void Tick(Clock::time_point now);
  void Close();

  IceState State() const { return state_; }
  const std::optional<stun::TransportAddress>& Selected() const { return selected_; }
  // Our address as the server saw it (XOR-MAPPED-ADDRESS of the last success response).
  const std::optional<stun::TransportAddress>& Mapped() const { return mapped_; }
  uint64_t Tiebreaker() const { return tiebreaker_; }
  uint64_t ChecksSent() const { return checksSent_; }
  uint64_t ResponsesAccepted() const { return responsesAccepted_; }

 private:
  void SendCheck(Clock::time_point now, bool newTransaction);
  void Fail(IceCloseReason reason);

  IceListener& listener_;
  std::string localUfrag_;
  std::string localPwd_;
  std::string remoteUfrag_;
  std::string remotePwd_;
  std::string username_;  // "<remote ufrag>:<local ufrag>", built once
  Options options_;
  uint64_t tiebreaker_ = 0;
  IceState state_ = IceState::New;
  stun::TransportAddress remote_;
  std::optional<stun::TransportAddress> selected_;
  std::optional<stun::TransportAddress> mapped_;

  // The transaction in flight (at most one).
  bool inFlight_ = false;
  std::array<uint8_t, stun::kTransactionIdSize> transactionId_{};
  int transmissions_ = 0;
  Clock::duration rto_{};
  Clock::time_point nextRetransmit_{};
  Clock::time_point nextConsentCheck_{};
  Clock::time_point lastResponse_{};
  uint64_t checksSent_ = 0;
  uint64_t responsesAccepted_ = 0;
  std::array<uint8_t, 512> sendBuffer_{};
};

}  // namespace medicall::webrtc::ice
