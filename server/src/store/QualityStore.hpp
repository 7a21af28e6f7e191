#pragma once
// Call-quality figures of meetings, for the post-visit report (GET /api/meetings/<id>/quality): one
// sample per attendee every few seconds and the attendees' join/leave/drop events. It holds ids and
// numbers only: no names, no chat (the report looks names up in the meetings store while the meeting
// exists). Rows older than the retention (MEDICALL_QUALITY_RETENTION_DAYS) are purged by the sweep.
//
// Thread-safe; writes may wait for the disk, so callers post them to the StoreExecutor. Methods throw
// std::runtime_error on storage failure.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace medicall::store {

// The figures of a sample, in this order in the table, the CSV and the JSON. New ones go at the end (a
// database made before them gets the columns added when it is opened, its rows keep NULL there).
enum class QualityColumn : uint8_t {
  kSendKbps,     // audio + video the attendee sent (client report)
  kReceiveKbps,  // audio + video it received
  kSendFps,      // camera frames encoded per second
  kReceiveFps,   // frames decoded per second (lowest remote video)
  kSendWidth,
  kSendHeight,
  kReceiveWidth,
  kReceiveHeight,
  kUplinkLossPct,          // the server's view of the attendee's uplink (its audio)
  kDownlinkLossPct,        // what the client lost of what we sent it
  kJitterMs,               // uplink interarrival jitter (server's view)
  kRttMs,                  // round trip (ICE candidate pair, else RTCP)
  kFreezes,                // video freezes in the interval
  kAudioPacketsPerSecond,  // audio the server received from the attendee
  kAudioPresent,           // 1: its audio arrived, 0: none
  kMicLevel,               // 0..1, the loudest microphone level reported in the interval
  kSignalStrength,         // 0..2, what AUDIO_METADATA told the client
  kNacks,                  // NACKs the attendee's video sender received in the interval
  kPlis,                   // keyframe requests it received
  // The server's view of the attendee's downlink (what we send it), from the RTCP it sends as a receiver:
  kServerDownLossPct,   // fraction lost in its receiver reports (worst stream of the video and audio)
  kServerDownJitterMs,  // interarrival jitter in those reports (worst stream)
  kServerRttMs,         // round trip from those reports against our sender reports (LSR/DLSR)
  kNacksIn,             // NACKs it sent us about the video we forward it, in the interval
  kPlisIn,              // keyframe requests (PLI, FIR) it sent us
  kRtxOut,              // packets we resent it
  kEstimateKbps,        // what we estimate we can send it (send-side estimate, else its REMB)
  kCount
};
inline constexpr size_t kQualityColumnCount = static_cast<size_t>(QualityColumn::kCount);
// snake_case names: SQL columns, CSV header, JSON keys.
std::string_view QualityColumnName(QualityColumn column);

struct QualitySample {
  std::string meetingId;
  std::string attendeeId;
  int64_t atMs = 0;  // wall clock, end of the interval
  std::array<std::optional<double>, kQualityColumnCount> values{};

  std::optional<double>& operator[](QualityColumn c) { return values[static_cast<size_t>(c)]; }
  const std::optional<double>& operator[](QualityColumn c) const { return values[static_cast<size_t>(c)]; }
};

struct QualityEvent {
  std::string meetingId;
  std::string attendeeId;
  int64_t atMs = 0;
  std::string kind;  // "joined", "left", "dropped"
};

class QualityStore {
 public:
  virtual ~QualityStore() = default;
  virtual void InsertSamples(const std::vector<QualitySample>& samples) = 0;
  virtual void InsertEvent(const QualityEvent& event) = 0;
  // In time order; at most `limit` rows (the oldest).
  virtual std::vector<QualitySample> ListSamples(const std::string& meetingId, size_t limit) = 0;
  virtual std::vector<QualityEvent> ListEvents(const std::string& meetingId, size_t limit) = 0;
  // Deletes samples and events older than `cutoffMs`; returns the rows deleted.
  virtual int64_t PurgeBefore(int64_t cutoffMs) = 0;
};

}  // namespace medicall::store
