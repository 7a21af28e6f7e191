#pragma once
// Content share (screen share) as amazon-chime-sdk-js does it (chime-protocol-2.md section 1): the
// sharer's SDK opens a second, independent signaling session with the join token
// "<JoinToken>#content", which the server treats as attendee "<AttendeeId>#content" with the base
// attendee's external user id. That attendee is an ordinary participant (its audio is mixed, its
// video is one more INDEX source with its own group id); only these rules are its own:
// - admission: a content token names its base attendee, who must exist, not be removed, and have a
//   Content capability that sends; at most kMaxConcurrentShares content attendees are joined at once
//   (the next gets AUDIO_STATUS 409, which stops the SDK's content client: contentShareDidStop);
// - end: the content session ends when its base attendee's session is over for good (LEAVE, dropped
//   and not back in time, DeleteAttendee) or the meeting ends;
// - keyframes: the server asks the content sender for a key frame every kKeyframeIntervalUs (late
//   joiners of a static screen would otherwise wait for the encoder's next one) unless its JOIN set
//   disable_periodic_keyframe_request_on_content_sender.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "signaling/SignalingProtocol.pb.h"

namespace medicall::signaling {

class ContentShare {
 public:
  // The SDK's ContentShareConstants.Modality, appended to both the attendee id and the join token.
  static constexpr std::string_view kModality = "#content";
  // Chime's limit of concurrent content shares in a meeting.
  static constexpr size_t kMaxConcurrentShares = 2;
  static constexpr int64_t kKeyframeIntervalUs = 3'000'000;

  // "<base>#content" -> "<base>"; nullopt for anything else (no suffix, an empty base, or a base
  // that itself carries a modality: "a#content#content").
  static std::optional<std::string_view> BaseOf(std::string_view idOrToken);
  static bool IsContent(std::string_view attendeeId) { return BaseOf(attendeeId).has_value(); }
  static std::string ContentIdOf(std::string_view baseAttendeeId);
  // Whether a base attendee's Content capability ("SendReceive", "Send", "Receive", "None") lets it
  // share (an empty one is the default, SendReceive).
  static bool MayShare(std::string_view contentCapability);
  // Whether content attendee `contentId` may join while `joined` (the attendee ids with a joined
  // session, people and content) are in the meeting: its own earlier session (a reconnect) takes
  // no extra slot.
  static bool HasSlot(std::string_view contentId, const std::vector<std::string>& joined);
  static bool WantsPeriodicKeyframes(const proto::SdkJoinFrame& join) {
    return !join.disable_periodic_keyframe_request_on_content_sender();
  }
};

}  // namespace medicall::signaling
