#pragma once
// Plain records the store keeps: one meeting row, one attendee row. Times are Unix seconds.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace medicall::store {

struct MeetingRecord {
  std::string meetingId;          // UUID v4
  std::string externalMeetingId;  // client's own id (the MediCall room id for /join meetings)
  std::string meetingHostId;      // optional
  std::string mediaRegion;
  std::string primaryMeetingId;   // optional
  std::string featuresJson;       // MeetingFeatures as sent ("" when absent)
  std::string notificationsJson;  // NotificationsConfiguration as sent ("" when absent)
  std::string tagsJson;           // Tags as sent ("" when absent)
  std::string tenantIdsJson;      // TenantIds as sent ("" when absent)
  int64_t createdAt = 0;
  int64_t idleSince = 0;  // creation or last disconnect: start of the idle clock
  // Not stored: the media address of the node hosting it in a cluster ("" on a single node).
  std::string audioHostUrl;
  // Not stored: in AWS mode, the MediaPlacement JSON the remote Chime endpoint gave it.
  std::string mediaPlacementJson;
};

struct AttendeeRecord {
  int64_t seq = 0;  // insertion order, assigned by the store (pagination cursor)
  std::string meetingId;
  std::string attendeeId;  // UUID v4
  std::string externalUserId;
  std::string joinToken;              // base64url, >= 128 random bits
  std::string audio = "SendReceive";  // Capabilities
  std::string video = "SendReceive";
  std::string content = "SendReceive";
  std::string name;  // roster name (MediCall /join), "" for API-created attendees
  int64_t createdAt = 0;
  int64_t leftAt = 0;  // when the attendee left (LEAVE, or dropped and never back); 0 = has not left
};

struct AttendeePage {
  std::vector<AttendeeRecord> attendees;
  std::optional<int64_t> nextCursor;  // seq to continue after, when more remain
};

struct StoreStats {
  int64_t meetings = 0;
  int64_t attendees = 0;
};

}  // namespace medicall::store
