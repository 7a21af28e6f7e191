#pragma once
// Where a meeting's media lives when several nodes share the store (cluster/ClusterNode). A
// meeting never spans nodes: it is placed on one, and placed again only when that node is gone.
#include <string>

namespace medicall::meetings {

class MeetingPlacement {
 public:
  virtual ~MeetingPlacement() = default;
  // The media address ("host:port", MediaPlacement.AudioHostUrl) of the node that hosts the
  // meeting, placing it on the least-loaded live node first when it has no live host. Throws
  // ServiceUnavailable when that cannot be recorded (no live node, the store unreachable).
  virtual std::string Resolve(const std::string& meetingId) = 0;
  // Whether this node hosts the meeting (the expiry sweep ends only its own meetings).
  virtual bool IsLocal(const std::string& meetingId) = 0;
  // The meeting ended: its placement goes.
  virtual void Forget(const std::string& meetingId) = 0;
};

}  // namespace medicall::meetings
