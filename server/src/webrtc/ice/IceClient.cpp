#include "webrtc/ice/IceClient.hpp"

#include <algorithm>

#include "common/Logger.hpp"
#include "common/Random.hpp"
#include "webrtc/stun/StunWriter.hpp"

namespace medicall::webrtc::ice {

using stun::StunClass;
using stun::StunMessage;
using stun::StunWriter;
using stun::TransportAddress;
namespace attr = stun::attr;

IceClient::IceClient(IceListener& listener, std::string localUfrag, std::string localPwd,
                     std::string remoteUfrag, std::string remotePwd, Options options)
    : listener_(listener),
      localUfrag_(std::move(localUfrag)),
      localPwd_(std::move(localPwd)),
      remoteUfrag_(std::move(remoteUfrag)),
      remotePwd_(std::move(remotePwd)),
      username_(remoteUfrag_ + ":" + localUfrag_),
      options_(options) {
  tiebreaker_ = random::Value<uint64_t>();
}

void IceClient::Start(const TransportAddress& remote, Clock::time_point now) {
  if (state_ != IceState::New) return;
  remote_ = remote;
  state_ = IceState::Checking;
  SendCheck(now, true);
}

void IceClient::SendCheck(Clock::time_point now, bool newTransaction) {
  if (newTransaction) {
    random::Fill(transactionId_);
    transmissions_ = 0;
    rto_ = options_.initialRto;
    inFlight_ = true;
  }
  StunWriter w(sendBuffer_, stun::kMethodBinding, StunClass::Request, transactionId_);
  w.AddString(attr::kUsername, username_)
      .AddU32(attr::kPriority, options_.priority)
      .AddU64(attr::kIceControlling, tiebreaker_)
      .AddFlag(attr::kUseCandidate)
      .AddMessageIntegrity(remotePwd_)
      .AddFingerprint();
  if (!w.Ok()) return;
  ++transmissions_;
  ++checksSent_;
  nextRetransmit_ = now + rto_;
  rto_ *= 2;
  listener_.OnIceSend(w.Bytes(), remote_);
}

void IceClient::ProcessStun(const StunMessage& message, const TransportAddress& from, Clock::time_point now) {
  if (state_ == IceState::Closed || state_ == IceState::New) return;
  if (message.Class() != StunClass::SuccessResponse && message.Class() != StunClass::ErrorResponse) return;
  if (!inFlight_ || from != remote_) return;
  if (!std::equal(transactionId_.begin(), transactionId_.end(), message.TransactionId().begin())) return;
  if (!message.HasFingerprint() || !message.CheckFingerprint()) return;
  if (message.Class() == StunClass::ErrorResponse) {
    // A 487 would make a full agent switch roles; against a lite server we must stay controlling,
    // so any error ends the checks. Unauthenticated errors could be forged: accept them only
    // before the pair is selected.
    auto code = message.ErrorCode();
    log::Warn("ice", "check to {} got error {}", from.ToString(), code ? code->code : 0);
    if (state_ == IceState::Checking) Fail(IceCloseReason::ChecksFailed);
    return;
  }
  if (!message.HasMessageIntegrity() || !message.CheckMessageIntegrity(remotePwd_)) return;
  inFlight_ = false;
  ++responsesAccepted_;
  lastResponse_ = now;
  nextConsentCheck_ = now + options_.consentInterval;
  mapped_ = message.XorMappedAddress();
  if (state_ == IceState::Checking) {
    state_ = IceState::Connected;
    selected_ = remote_;
    listener_.OnIceSelected(remote_, true);
  }
}

void IceClient::Tick(Clock::time_point now) {
  if (state_ == IceState::Checking) {
    if (inFlight_ && now >= nextRetransmit_) {
      if (transmissions_ >= options_.maxTransmissions) {
        Fail(IceCloseReason::ChecksFailed);
        return;
      }
      SendCheck(now, false);
    }
    return;
  }
  if (state_ != IceState::Connected) return;
  if (now - lastResponse_ > options_.consentTimeout) {
    Fail(IceCloseReason::ConsentExpired);
    return;
  }
  if (inFlight_ && now >= nextRetransmit_ && transmissions_ < options_.maxTransmissions) {
    SendCheck(now, false);
  } else if (now >= nextConsentCheck_ && (!inFlight_ || transmissions_ >= options_.maxTransmissions)) {
    nextConsentCheck_ = now + options_.consentInterval;
    SendCheck(now, true);
  }
}

void IceClient::Fail(IceCloseReason reason) {
  if (state_ == IceState::Closed) return;
  state_ = IceState::Closed;
  inFlight_ = false;
  listener_.OnIceClosed(reason);
}

void IceClient::Close() { Fail(IceCloseReason::Local); }

}  // namespace medicall::webrtc::ice
