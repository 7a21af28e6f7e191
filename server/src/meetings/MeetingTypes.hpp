#pragma once
// Parameters and results of MeetingsService operations (the API layer maps JSON to and from these).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/Records.hpp"

namespace medicall::meetings {

using store::AttendeeRecord;
using store::MeetingRecord;

struct AttendeeCapabilities {
  std::string audio = "SendReceive";  // SendReceive | Send | Receive | None
  std::string video = "SendReceive";
  std::string content = "SendReceive";
};

struct CreateMeetingParams {
  std::string clientRequestToken;  // idempotency; "" = none
  std::string mediaRegion;
  std::string externalMeetingId;
  std::string meetingHostId;
  std::string primaryMeetingId;
  std::string featuresJson;       // raw JSON of MeetingFeatures, "" when absent
  std::string notificationsJson;  // raw JSON of NotificationsConfiguration
  std::string tagsJson;           // raw JSON of Tags
  std::string tenantIdsJson;      // raw JSON of TenantIds
};

struct CreateAttendeeParams {
  std::string externalUserId;
  AttendeeCapabilities capabilities;
  std::string name;  // roster name (MediCall /join only)
};

// One failed item of a batch (AWS CreateAttendeeError).
struct AttendeeError {
  std::string externalUserId;
  std::string errorCode;
  std::string errorMessage;
};

struct BatchCreateResult {
  std::vector<AttendeeRecord> attendees;
  std::vector<AttendeeError> errors;
};

struct MeetingWithAttendees {
  MeetingRecord meeting;
  std::vector<AttendeeRecord> attendees;
  std::vector<AttendeeError> errors;
};

struct AttendeeListPage {
  std::vector<AttendeeRecord> attendees;
  std::string nextToken;  // "" on the last page
};

struct MeetingsStats {
  int64_t activeMeetings = 0;
  int64_t attendees = 0;
  int64_t connectedAttendees = 0;
};

}  // namespace medicall::meetings
