#include "signaling/TurnCredentialIssuer.hpp"

#include <gtest/gtest.h>

namespace medicall::signaling {
namespace {

TEST(TurnCredentialIssuerTest, UsernameIsExpiryColonAttendeeAndPasswordIsHmacSha1Base64) {
  ManualClock clock(0, 1'700'000'000'000'000);
  TurnCredentialIssuer issuer({"turn:turn.example.org:3478?transport=udp"}, "north", 86400, clock);
  const auto c = issuer.Issue("attendee-1");
  EXPECT_EQ(c.username, "1700086400:attendee-1");
  EXPECT_EQ(c.ttlSeconds, 86400u);
  ASSERT_EQ(c.uris.size(), 1u);
  // Computed independently: printf '1700086400:attendee-1' | openssl dgst -sha1 -hmac north -binary | base64
  EXPECT_EQ(c.password, "i573658qWFFTNfCAI4EozuC8Vws=");
}

TEST(TurnCredentialIssuerTest, PasswordMatchesAKnownVector) {
  // RFC 2202 test case 2: HMAC-SHA1("Jefe", "what do ya want for nothing?") =
  // effcdf6ae5eb2fa2d27416d5f184df9c259a7c79, base64 below.
  EXPECT_EQ(TurnCredentialIssuer::Password("Jefe", "what do ya want for nothing?"),
            "7/zfauXrL6LSdBbV8YTfnCWafHk=");
}

TEST(TurnCredentialIssuerTest, ValidatesUris) {
  for (const char* ok : {"turn:turn.example.org", "turn:turn.example.org:3478?transport=udp",
                         "turns:turn.example.org:443?transport=tcp", "turn:192.0.2.1:3478",
                         "turn:[2001:db8::1]:3478", "turn:[2001:db8::1]"}) {
    EXPECT_EQ(TurnCredentialIssuer::Validate(ok), "") << ok;
  }
  for (const char* bad :
       {"stun:turn.example.org", "turn:", "turn:host:0", "turn:host:99999", "turn:host:", "turn:ho st",
        "turn:host?transport=sctp", "turn:[2001:db8::1", "http://x", "turn:host:34a"}) {
    EXPECT_NE(TurnCredentialIssuer::Validate(bad), "") << bad;
  }
}

}  // namespace
}  // namespace medicall::signaling
