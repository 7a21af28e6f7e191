#pragma once
// TURN credentials for JOIN_ACK in the TURN REST scheme that coturn implements
// (`use-auth-secret` / `static-auth-secret`; draft-uberti-behave-turn-rest-00 section 2.2):
//   username = "<expiry unix seconds>:<attendee id>"
//   password = base64(HMAC-SHA1(secret, username))
// The SDK sends them to the browser as iceServers and then forces relay-only ICE
// (chime-protocol-2.md section 4.2), so they are issued only when TURN is configured.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/Clock.hpp"
#include "signaling/SessionTypes.hpp"

namespace medicall::signaling {

class TurnCredentialIssuer {
 public:
  TurnCredentialIssuer(std::vector<std::string> uris, std::string secret, uint32_t ttlSeconds,
                       const Clock& clock = Clock::System());

  TurnCredentials Issue(std::string_view attendeeId) const;

  // A TURN URI the browser accepts (RFC 7065): turn: or turns:, a host (name, IPv4 or [IPv6]), an
  // optional port, and optionally ?transport=udp|tcp. Empty when valid, else why not.
  static std::string Validate(std::string_view uri);
  // HMAC-SHA1 of `username` with `secret`, base64 (coturn's check).
  static std::string Password(std::string_view secret, std::string_view username);

 private:
  std::vector<std::string> uris_;
  std::string secret_;
  uint32_t ttlSeconds_;
  const Clock& clock_;
};

}  // namespace medicall::signaling
