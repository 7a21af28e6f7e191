#pragma once
// What an ICE agent (IceServer or IceClient) reports to its owner, the transport. The owner
// outlives the agent; calls are made synchronously from ProcessStun()/Tick() on the worker thread.
#include <cstdint>
#include <span>

#include "webrtc/stun/TransportAddress.hpp"

namespace medicall::webrtc::ice {

enum class IceState : uint8_t {
  New,        // no valid check yet
  Checking,   // client role: checks in flight
  Connected,  // a pair is selected; media may flow to Selected()
  Closed,     // consent expired (RFC 7675), checks failed, or closed by the owner
};

enum class IceCloseReason : uint8_t {
  ConsentExpired,  // no valid check (server) / no response (client) within the consent timeout
  ChecksFailed,    // client role: every retransmission went unanswered, or an error response
  Local,           // the owner closed it
};

class IceListener {
 public:
  virtual ~IceListener() = default;
  // Send one STUN datagram to `to` (the bytes live only during the call).
  virtual void OnIceSend(std::span<const uint8_t> packet, const stun::TransportAddress& to) = 0;
  // The selected remote address was set or changed (first valid check, or a new nominated pair).
  virtual void OnIceSelected(const stun::TransportAddress& remote, bool nominated) = 0;
  // The agent is Closed; called once.
  virtual void OnIceClosed(IceCloseReason reason) = 0;
};

}  // namespace medicall::webrtc::ice
