#include "meetings/SigV4Signer.hpp"

#include <ctime>
#include <vector>

#include "meetings/SigV4Verifier.hpp"

namespace medicall::meetings {

SigV4Signer::SigV4Signer(std::string accessKeyId, std::string secretAccessKey, std::string region,
                         std::string service, const Clock& clock)
    : accessKeyId_(std::move(accessKeyId)),
      secretAccessKey_(std::move(secretAccessKey)),
      region_(std::move(region)),
      service_(std::move(service)),
      clock_(clock) {}

void SigV4Signer::Sign(HttpRequest& request) const {
  const std::time_t now = static_cast<std::time_t>(clock_.WallNowUs() / 1'000'000);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char amzDate[17];
  std::strftime(amzDate, sizeof(amzDate), "%Y%m%dT%H%M%SZ", &utc);
  const std::string date(amzDate, 8);
  const std::string payloadHash = SigV4Verifier::Sha256Hex(request.body);
  request.headers["x-amz-date"] = amzDate;
  request.headers["x-amz-content-sha256"] = payloadHash;
  std::vector<std::string> signedHeaders;  // sorted, lower case, host included
  for (const char* name : {"content-type", "host", "x-amz-content-sha256", "x-amz-date"})
    if (request.Header(name) != nullptr) signedHeaders.emplace_back(name);
  const std::string scope = date + "/" + region_ + "/" + service_ + "/aws4_request";
  const std::string canonical = SigV4Verifier::CanonicalRequest(request, signedHeaders, payloadHash);
  const std::string signature = SigV4Verifier::Sign(secretAccessKey_, date, region_, service_,
                                                    SigV4Verifier::StringToSign(amzDate, scope, canonical));
  std::string list;
  for (const auto& h : signedHeaders) list += (list.empty() ? "" : ";") + h;
  request.headers["authorization"] = "AWS4-HMAC-SHA256 Credential=" + accessKeyId_ + "/" + scope +
                                     ", SignedHeaders=" + list + ", Signature=" + signature;
}

}  // namespace medicall::meetings
