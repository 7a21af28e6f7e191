#pragma once
// A client of a Chime SDK Meetings endpoint (MEDICALL_CHIME_ENDPOINT, AWS mode): CreateMeeting,
// GetMeeting and CreateAttendee over HTTPS (the system's CA certificates, host name checked) or
// plain HTTP, signed with SigV4 (service "chime") with AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
// Synchronous, on the caller's thread (the store thread). An endpoint that cannot be reached
// throws ServiceUnavailable; its error replies are thrown as ApiError with its status and type.
#include <string>

#include "common/Config.hpp"
#include "meetings/RemoteChime.hpp"
#include "meetings/SigV4Signer.hpp"

namespace medicall::app {

class ChimeEndpointClient final : public meetings::RemoteChime {
 public:
  // Throws std::runtime_error naming the setting when the endpoint URL or the credentials are missing.
  explicit ChimeEndpointClient(const Config& config);

  meetings::MeetingRecord CreateMeeting(const std::string& externalMeetingId,
                                        const std::string& mediaRegion) override;
  std::optional<meetings::MeetingRecord> GetMeeting(const std::string& meetingId) override;
  meetings::AttendeeRecord CreateAttendee(const std::string& meetingId,
                                          const meetings::CreateAttendeeParams& params) override;

 private:
  struct Reply {
    int status = 0;
    std::string type;  // x-amzn-errortype
    std::string body;
  };
  Reply Send(const std::string& method, const std::string& path, const std::string& body);
  Reply Exchange(const HttpRequest& request);

  bool tls_ = false;
  std::string host_;
  std::string port_;
  meetings::SigV4Signer signer_;
};

}  // namespace medicall::app
