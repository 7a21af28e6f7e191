#pragma once
// Status numbers the SDK understands (amazon-chime-sdk-js MeetingSessionStatus.fromAudioStatus,
// fromSignalingStatus, JoinAndReceiveIndexTask, MonitorTask).
#include <cstdint>

namespace medicall::signaling {

// AUDIO_STATUS.audio_status values.
inline constexpr uint32_t kAudioStatusOk = 200;
inline constexpr uint32_t kAudioStatusJoinedFromAnotherDevice = 301;  // terminal: replaced by a new session
inline constexpr uint32_t kAudioStatusAtCapacity = 409;               // terminal: AudioCallAtCapacity
inline constexpr uint32_t kAudioStatusMeetingEnded = 410;             // terminal: MeetingEnded
inline constexpr uint32_t kAudioStatusAttendeeRemoved = 411;          // terminal: AudioAttendeeRemoved

// SdkErrorFrame.status values: 4xx -> SignalingBadRequest (terminal), 5xx -> internal error (retry).
inline constexpr uint32_t kErrorBadRequest = 400;
inline constexpr uint32_t kErrorInternal = 500;

// WebSocket close codes. 4410 during join = meeting ended; 4500-4599 = server failure, the client
// reconnects; 1000 after LEAVE. Others are ours, for logs (the AUDIO_STATUS before them decides).
inline constexpr uint16_t kCloseNormal = 1000;
inline constexpr uint16_t kCloseGoingAway = 1001;        // the page went away (closed or reloaded)
inline constexpr uint16_t kCloseUnsupportedData = 1003;  // a text message
inline constexpr uint16_t kCloseInvalidPayload = 1007;   // undecodable frame
inline constexpr uint16_t kClosePolicyViolation = 1008;  // frame out of order
inline constexpr uint16_t kCloseMessageTooBig = 1009;
inline constexpr uint16_t kCloseReplaced = 4301;
inline constexpr uint16_t kCloseAtCapacity = 4409;
inline constexpr uint16_t kCloseMeetingEnded = 4410;
inline constexpr uint16_t kCloseAttendeeRemoved = 4411;
// The client reconnects: media transport lost, no ping, server draining or restarting.
inline constexpr uint16_t kCloseServerError = 4500;

}  // namespace medicall::signaling
