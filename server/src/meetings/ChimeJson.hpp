#pragma once
// The Chime SDK Meetings JSON shapes (restJson1) of meetings and attendees, shared by the meetings
// API and the MediCall /join API. MediaPlacement is not stored: it is built per response from the
// host the client reached, so that the URLs always point at this server.
#include <nlohmann/json.hpp>
#include <string>

#include "common/Config.hpp"
#include "common/HttpTypes.hpp"
#include "meetings/MeetingTypes.hpp"

namespace medicall::meetings {

class ChimeJson {
 public:
  // host[:port] for the URLs: Config.publicHost if set, else the request's Host header (when it is a
  // plain host name or address), else publicIp:port.
  static std::string ResolveHost(const HttpRequest& request, const Config& config);
  // {MeetingId, MeetingHostId?, ExternalMeetingId, MediaRegion, MediaPlacement, MeetingFeatures?,
  //  PrimaryMeetingId?, TenantIds?, MeetingArn}
  static nlohmann::json Meeting(const MeetingRecord& meeting, const std::string& host, const Config& config);
  static nlohmann::json MediaPlacement(const std::string& meetingId, const std::string& host,
                                       const Config& config);
  // {ExternalUserId, AttendeeId, JoinToken, Capabilities {Audio, Video, Content}}
  static nlohmann::json Attendee(const AttendeeRecord& attendee);
  // {ExternalUserId, ErrorCode, ErrorMessage}
  static nlohmann::json Error(const AttendeeError& error);
};

}  // namespace medicall::meetings
