#include "webrtc/ice/IceServer.hpp"

#include "common/Logger.hpp"
#include "webrtc/stun/StunWriter.hpp"

namespace medicall::webrtc::ice {

using stun::StunClass;
using stun::StunMessage;
using stun::StunWriter;
using stun::TransportAddress;
namespace attr = stun::attr;
namespace error = stun::error;

IceServer::IceServer(IceListener& listener, std::string localUfrag, std::string localPwd,
                     Clock::duration consentTimeout)
    : listener_(listener),
      localUfrag_(std::move(localUfrag)),
      localPwd_(std::move(localPwd)),
      consentTimeout_(consentTimeout) {}

void IceServer::ProcessStun(const StunMessage& message, const TransportAddress& from, Clock::time_point now) {
  if (state_ == IceState::Closed) return;
  if (message.Class() != StunClass::Request) {
    ++counters_.ignored;  // Binding indications (keep-alives) and stray responses
    return;
  }
  ++counters_.requests;
  if (message.HasFingerprint() && !message.CheckFingerprint()) {
    ++counters_.badFingerprint;
    return;
  }
  if (message.Method() != stun::kMethodBinding || !message.HasFingerprint()) {
    SendError(message, from, error::kBadRequest, "Bad Request", false);
    return;
  }
  auto username = message.Username();
  if (!username || !message.HasMessageIntegrity()) {
    SendError(message, from, error::kBadRequest, "Bad Request", false);
    return;
  }
  // USERNAME is "<our ufrag>:<their ufrag>" (RFC 8445 section 7.2.2).
  const size_t colon = username->find(':');
  const bool userOk = colon != std::string_view::npos && username->substr(0, colon) == localUfrag_ &&
                      (remoteUfrag_.empty() || username->substr(colon + 1) == remoteUfrag_);
  if (!userOk || !message.CheckMessageIntegrity(localPwd_)) {
    SendError(message, from, error::kUnauthorized, "Unauthorized", false);
    return;
  }
  if (!message.UnknownRequired().empty()) {
    ++counters_.unknownAttribute;
    std::array<uint8_t, 256> buf{};
    StunWriter w(buf, stun::kMethodBinding, StunClass::ErrorResponse, message.TransactionId());
    w.AddErrorCode(error::kUnknownAttribute, "Unknown Attribute")
        .AddUnknownAttributes(message.UnknownRequired())
        .AddMessageIntegrity(localPwd_)
        .AddFingerprint();
    if (w.Ok()) listener_.OnIceSend(w.Bytes(), from);
    return;
  }
  if (!message.Priority()) {
    SendError(message, from, error::kBadRequest, "Missing PRIORITY", true);
    return;
  }
  // Role (RFC 8445 section 7.3.1.1): a lite agent is always controlled, so a peer that says it
  // is controlled too gets 487 and we keep our role; the peer must be controlling.
  if (message.IceControlled()) {
    SendError(message, from, error::kRoleConflict, "Role Conflict", true);
    return;
  }
  if (!message.IceControlling()) {
    SendError(message, from, error::kBadRequest, "Missing ICE-CONTROLLING", true);
    return;
  }

  RememberValidated(from, now);
  SendSuccess(message, from);

  const bool useCandidate = message.HasUseCandidate();
  const bool changed = !selected_ || *selected_ != from;
  if (useCandidate && (changed || !nominated_)) {
    selected_ = from;
    nominated_ = true;
    state_ = IceState::Connected;
    log::Info("ice", "ufrag {} nominated {}", localUfrag_, from.ToString());
    listener_.OnIceSelected(from, true);
  } else if (!selected_) {
    selected_ = from;
    state_ = IceState::Connected;
    log::Debug("ice", "ufrag {} selected {} (not yet nominated)", localUfrag_, from.ToString());
    listener_.OnIceSelected(from, false);
  }
}

void IceServer::RememberValidated(const TransportAddress& address, Clock::time_point now) {
  for (size_t i = 0; i < validatedCount_; ++i) {
    if (validated_[i].address == address) {
      validated_[i].lastCheck = now;
      return;
    }
  }
  if (validatedCount_ < kMaxValidated) {
    validated_[validatedCount_++] = Validated{address, now};
    return;
  }
  // Full: replace the stalest entry that is not the selected address.
  size_t victim = kMaxValidated;
  for (size_t i = 0; i < validatedCount_; ++i) {
    if (selected_ && validated_[i].address == *selected_) continue;
    if (victim == kMaxValidated || validated_[i].lastCheck < validated_[victim].lastCheck) victim = i;
  }
  if (victim != kMaxValidated) validated_[victim] = Validated{address, now};
}

bool IceServer::IsValidated(const TransportAddress& address) const {
  if (state_ == IceState::Closed) return false;
  for (size_t i = 0; i < validatedCount_; ++i) {
    if (validated_[i].address == address) return true;
  }
  return false;
}

void IceServer::Tick(Clock::time_point now) {
  if (state_ != IceState::Connected || !selected_) return;
  for (size_t i = 0; i < validatedCount_; ++i) {
    if (validated_[i].address != *selected_) continue;
    if (now - validated_[i].lastCheck > consentTimeout_) {
      log::Info("ice", "ufrag {} consent expired for {}", localUfrag_, selected_->ToString());
      state_ = IceState::Closed;
      listener_.OnIceClosed(IceCloseReason::ConsentExpired);
    }
    return;
  }
}

void IceServer::Close() {
  if (state_ == IceState::Closed) return;
  state_ = IceState::Closed;
  listener_.OnIceClosed(IceCloseReason::Local);
}

void IceServer::SendSuccess(const StunMessage& request, const TransportAddress& to) {
  StunWriter w(sendBuffer_, stun::kMethodBinding, StunClass::SuccessResponse, request.TransactionId());
  w.AddXorAddress(attr::kXorMappedAddress, to).AddMessageIntegrity(localPwd_).AddFingerprint();
  if (!w.Ok()) return;
  ++counters_.success;
  listener_.OnIceSend(w.Bytes(), to);
}

void IceServer::SendError(const StunMessage& request, const TransportAddress& to, uint16_t code,
                          std::string_view reason, bool withIntegrity) {
  switch (code) {
    case error::kBadRequest:
      ++counters_.badRequest;
      break;
    case error::kUnauthorized:
      ++counters_.unauthorized;
      break;
    case error::kRoleConflict:
      ++counters_.roleConflict;
      break;
    default:
      break;
  }
  StunWriter w(sendBuffer_, request.Method(), StunClass::ErrorResponse, request.TransactionId());
  w.AddErrorCode(code, reason);
  if (withIntegrity) w.AddMessageIntegrity(localPwd_);
  w.AddFingerprint();
  if (w.Ok()) listener_.OnIceSend(w.Bytes(), to);
}

}  // namespace medicall::webrtc::ice
