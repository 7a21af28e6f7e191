// The signer and the verifier share their canonical request and key derivation: what one signs,
// the other accepts, and any change to the signed parts is refused.
#include "meetings/SigV4Signer.hpp"

#include <gtest/gtest.h>

#include "common/ApiError.hpp"
#include "meetings/SigV4Verifier.hpp"

namespace medicall::meetings {
namespace {

HttpRequest Request() {
  HttpRequest r;
  r.method = "POST";
  r.rawPath = r.path = "/meetings/abc/attendees";
  r.rawQuery = "operation=batch-create";
  r.target = r.rawPath + "?" + r.rawQuery;
  r.headers["host"] = "127.0.0.1:3001";
  r.headers["content-type"] = "application/json";
  r.body = R"({"ExternalUserId":"x1"})";
  return r;
}

TEST(SigV4SignerTest, WhatItSignsTheVerifierAccepts) {
  ManualClock clock{0, 1'700'000'000LL * 1'000'000};
  SigV4Signer signer("AKID", "secret", "us-east-1", "chime", clock);
  SigV4Verifier verifier("AKID", "secret", "us-east-1", "chime", 300, clock);
  HttpRequest r = Request();
  signer.Sign(r);
  EXPECT_EQ(*r.Header("x-amz-date"), "20231114T221320Z");
  EXPECT_NE(
      r.Header("authorization")->find("SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date"),
      std::string::npos);
  EXPECT_NO_THROW(verifier.Verify(r));

  HttpRequest body = r;
  body.body = R"({"ExternalUserId":"x2"})";
  EXPECT_THROW(verifier.Verify(body), Forbidden);
  HttpRequest query = r;
  query.rawQuery = "operation=other";
  EXPECT_THROW(verifier.Verify(query), Forbidden);
  SigV4Verifier otherSecret("AKID", "other", "us-east-1", "chime", 300, clock);
  EXPECT_THROW(otherSecret.Verify(r), Forbidden);
}

}  // namespace
}  // namespace medicall::meetings
