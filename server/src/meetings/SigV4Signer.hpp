#pragma once
// Signs an outgoing request with AWS Signature Version 4 (header form), built from the same
// canonical-request and key-derivation code that SigV4Verifier checks incoming requests with. Used
// by the client of a real (or another MediCall's) Chime SDK Meetings endpoint (AWS mode).
#include <string>

#include "common/Clock.hpp"
#include "common/HttpTypes.hpp"

namespace medicall::meetings {

class SigV4Signer {
 public:
  SigV4Signer(std::string accessKeyId, std::string secretAccessKey, std::string region, std::string service,
              const Clock& clock = Clock::System());

  // `request` needs method, rawPath, rawQuery, its headers (host included) and body. Adds
  // x-amz-date, x-amz-content-sha256 and authorization (signing host, x-amz-*, content-type).
  void Sign(HttpRequest& request) const;

 private:
  std::string accessKeyId_;
  std::string secretAccessKey_;
  std::string region_;
  std::string service_;
  const Clock& clock_;
};

}  // namespace medicall::meetings
