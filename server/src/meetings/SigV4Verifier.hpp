#pragma once
// Verifies AWS Signature Version 4 on a plain HttpRequest (Authorization header form), as the AWS
// SDKs sign Chime SDK Meetings calls.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
//
//   CanonicalRequest = Method \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n
//                      SignedHeaders \n HashedPayload
//   StringToSign     = "AWS4-HMAC-SHA256" \n X-Amz-Date \n Scope \n hex(SHA256(CanonicalRequest))
//   Signature        = hex(HMAC(kSigning, StringToSign)),
//   kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")
//
// Errors (thrown, medicall::ApiError): no Authorization header -> 401 UnauthorizedException;
// malformed header, unknown access key, wrong scope, date outside the skew window, payload hash
// mismatch or bad signature -> 403 ForbiddenException.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/HttpTypes.hpp"
#include "common/Clock.hpp"

namespace medicall::meetings {

struct SigV4Authorization {
  std::string accessKeyId;
  std::string date;  // yyyymmdd of the credential scope
  std::string region;
  std::string service;
  std::string terminator;
  std::vector<std::string> signedHeaders;  // lower case, as listed
  std::string signature;                   // lower-case hex
};

class SigV4Verifier {
 public:
  SigV4Verifier(std::string accessKeyId, std::string secretAccessKey, std::string region, std::string service,
                int skewSeconds, const Clock& clock = Clock::System());

  // Throws Unauthorized or Forbidden when the request is not signed by the configured key.
  void Verify(const HttpRequest& request) const;

  // Building blocks, public for the test vectors.
  static bool ParseAuthorization(std::string_view header, SigV4Authorization& out);
  static std::string CanonicalUri(std::string_view rawPath);
  static std::string CanonicalQuery(std::string_view rawQuery);
  static std::string CanonicalRequest(const HttpRequest& request,
                                      const std::vector<std::string>& signedHeaders,
                                      const std::string& payloadHash);
  static std::string StringToSign(const std::string& amzDate, const std::string& scope,
                                  const std::string& canonicalRequest);
  static std::string Sign(const std::string& secretAccessKey, const std::string& date,
                          const std::string& region, const std::string& service,
                          const std::string& stringToSign);
  static std::string Sha256Hex(std::string_view data);
  // Parses "yyyymmddThhmmssZ" into Unix seconds; false if malformed.
  static bool ParseAmzDate(std::string_view text, int64_t& unixSeconds);

 private:
  std::string accessKeyId_;
  std::string secretAccessKey_;
  std::string region_;
  std::string service_;
  int skewSeconds_;
  const Clock& clock_;
};

}  // namespace medicall::meetings
