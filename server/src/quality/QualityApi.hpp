#pragma once
// GET /api/meetings/<MeetingId>/quality: a meeting's call-quality report for the report page
// (/report/<MeetingId>) and for export.
//   JSON (default): {meetingId, columns, attendees: [{attendeeId, name}], samples: [{attendeeId, atMs,
//                    <column>: number|null ...}], events: [{attendeeId, atMs, kind}], summary: [...]}
//   CSV (?format=csv or Accept: text/csv): meeting_id,attendee_id,at_ms,<columns>; one row per sample.
// ?tz=<minutes east of UTC> sets the zone of the times in the summary sentences.
//
// Access: MayRead() is the one place that decides who may read a meeting's report. Until the clinic
// roles exist: loopback callers, or a request signed (SigV4) with the meetings API's credentials.
// Names (the attendees' external user ids, as the roster shows them) go into the answer only.
//
// Runs on the store thread (it reads the stores).
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/Config.hpp"
#include "common/HttpTypes.hpp"
#include "meetings/SigV4Verifier.hpp"
#include "store/QualityStore.hpp"

namespace medicall::meetings {
class MeetingsService;
}

namespace medicall::quality {

class QualityApi {
 public:
  static constexpr size_t kMaxSamples = 200'000;  // a 24 h meeting of 10 attendees at 5 s is 172,800
  static constexpr size_t kMaxEvents = 10'000;

  QualityApi(store::QualityStore& store, meetings::MeetingsService& meetings, const Config& config);

  static bool Owns(std::string_view path);
  // nullopt when the path is not ours.
  std::optional<HttpResponse> Handle(const HttpRequest& request);
  // Who may read `meetingId`'s report; on refusal the status (401/403/404) and a message.
  bool MayRead(const HttpRequest& request, const std::string& meetingId, int& status, std::string& why) const;

  // A clinic visit's report is for that visit's participants and clinicians (issue 12), or the
  // operator (SigV4), not for anyone on loopback. The authorizer answers nullopt for a meeting that is
  // not a visit's (the rules above apply), true to allow (it records the view), false to refuse
  // (filling status and why).
  using VisitAuthorizer = std::function<std::optional<bool>(const std::string& meetingId, const HttpRequest&,
                                                            int& status, std::string& why)>;
  void SetVisitAuthorizer(VisitAuthorizer authorizer) { visitAuthorizer_ = std::move(authorizer); }

 private:
  store::QualityStore& store_;
  meetings::MeetingsService& meetings_;
  std::optional<meetings::SigV4Verifier> verifier_;
  VisitAuthorizer visitAuthorizer_;

  bool SignedByOperator(const HttpRequest& request, int& status, std::string& why) const;
};

}  // namespace medicall::quality
