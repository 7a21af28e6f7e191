#include "meetings/MeetingsService.hpp"

#include <charconv>
#include <iterator>
#include <tuple>

#include "common/ApiError.hpp"
#include "common/Logger.hpp"
#include "meetings/IdGenerator.hpp"
#include "meetings/RequestValidator.hpp"

namespace medicall::meetings {

const char* ToString(MeetingEndReason reason) {
  switch (reason) {
    case MeetingEndReason::Deleted:
      return "deleted";
    case MeetingEndReason::Idle:
      return "idle";
    case MeetingEndReason::MaxDuration:
      return "max-duration";
  }
  return "unknown";
}

namespace {

constexpr std::string_view kTokenPrefix = "p1.";

std::string EncodeNextToken(int64_t seq) {
  const std::string text = std::to_string(seq);
  return std::string(kTokenPrefix) +
         IdGenerator::Base64UrlEncode(reinterpret_cast<const unsigned char*>(text.data()), text.size());
}

std::optional<int64_t> DecodeNextToken(std::string_view token) {
  if (token.substr(0, kTokenPrefix.size()) != kTokenPrefix || token.size() > 40) return std::nullopt;
  token.remove_prefix(kTokenPrefix.size());
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string decoded;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : token) {
    const size_t v = kAlphabet.find(c);
    if (v == std::string_view::npos) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      decoded.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  int64_t seq = 0;
  const auto [ptr, ec] = std::from_chars(decoded.data(), decoded.data() + decoded.size(), seq);
  if (ec != std::errc() || ptr != decoded.data() + decoded.size() || seq < 0 || decoded.empty())
    return std::nullopt;
  if (EncodeNextToken(seq) != std::string(kTokenPrefix) + std::string(token))
    return std::nullopt;  // canonical only
  return seq;
}

void CheckMeetingId(const std::string& meetingId) {
  if (!IdGenerator::IsUuid(meetingId)) throw BadRequest("MeetingId must be a UUID.");
}

void CheckAttendeeId(const std::string& attendeeId) {
  if (!IdGenerator::IsUuid(attendeeId)) throw BadRequest("AttendeeId must be a UUID.");
}

[[noreturn]] void MeetingNotFound(const std::string& meetingId) {
  throw NotFound("The meeting " + meetingId + " does not exist.");
}

void ValidateMeetingParams(const CreateMeetingParams& p) {
  if (!p.clientRequestToken.empty()) RequestValidator::CheckClientRequestToken(p.clientRequestToken);
  RequestValidator::CheckMediaRegion(p.mediaRegion);
  RequestValidator::CheckExternalMeetingId(p.externalMeetingId);
  if (!p.meetingHostId.empty()) RequestValidator::CheckExternalMeetingId(p.meetingHostId, "MeetingHostId");
  if (!p.primaryMeetingId.empty() && !IdGenerator::IsUuid(p.primaryMeetingId))
    throw BadRequest("PrimaryMeetingId must be a UUID.");
}

// The item's problem as AWS reports it in a batch, or "" when it is valid.
std::string AttendeeProblem(const CreateAttendeeParams& p) {
  if (!RequestValidator::IsValidExternalId(p.externalUserId))
    return "ExternalUserId must be 2-64 characters without control characters.";
  for (const auto* cap : {&p.capabilities.audio, &p.capabilities.video, &p.capabilities.content})
    if (!RequestValidator::IsValidCapability(*cap))
      return "Capabilities must be one of SendReceive, Send, Receive, None.";
  return "";
}

}  // namespace

MeetingsService::MeetingsService(store::Store& store, const Config& config, const Clock& clock)
    : store_(store), config_(config), clock_(clock), startedAt_(clock.WallNowUs() / 1'000'000) {}

void MeetingsService::Write(std::function<void()> write) {
  if (writeExecutor_ != nullptr) {
    writeExecutor_->Post(std::move(write));
  } else {
    write();
  }
}

MeetingRecord MeetingsService::MakeMeeting(const CreateMeetingParams& p, int64_t now) const {
  MeetingRecord m;
  m.meetingId = IdGenerator::NewUuid();
  m.externalMeetingId = p.externalMeetingId;
  m.meetingHostId = p.meetingHostId;
  m.mediaRegion = p.mediaRegion;
  m.primaryMeetingId = p.primaryMeetingId;
  m.featuresJson = p.featuresJson;
  m.notificationsJson = p.notificationsJson;
  m.tagsJson = p.tagsJson;
  m.tenantIdsJson = p.tenantIdsJson;
  m.createdAt = now;
  m.idleSince = now;
  return m;
}

std::vector<AttendeeRecord> MeetingsService::MakeAttendees(const std::string& meetingId,
                                                           const std::vector<CreateAttendeeParams>& params,
                                                           std::vector<AttendeeError>& errors,
                                                           int64_t now) const {
  std::vector<AttendeeRecord> out;
  for (const auto& p : params) {
    if (std::string problem = AttendeeProblem(p); !problem.empty()) {
      errors.push_back({p.externalUserId, "BadRequest", std::move(problem)});
      continue;
    }
    AttendeeRecord a;
    a.meetingId = meetingId;
    a.attendeeId = IdGenerator::NewUuid();
    a.externalUserId = p.externalUserId;
    a.joinToken = IdGenerator::NewJoinToken();
    a.audio = p.capabilities.audio;
    a.video = p.capabilities.video;
    a.content = p.capabilities.content;
    a.name = p.name;
    a.createdAt = now;
    out.push_back(std::move(a));
  }
  return out;
}

MeetingRecord MeetingsService::CreateMeeting(const CreateMeetingParams& params) {
  return CreateMeetingWithAttendees(params, {}).meeting;
}

MeetingWithAttendees MeetingsService::CreateMeetingWithAttendees(
    const CreateMeetingParams& params, const std::vector<CreateAttendeeParams>& attendees) {
  ValidateMeetingParams(params);
  if (static_cast<int>(attendees.size()) > kMaxCreateWithAttendees)
    throw BadRequest("Attendees must contain at most " + std::to_string(kMaxCreateWithAttendees) + " items.");
  std::lock_guard lock(mutex_);
  MeetingWithAttendees result;
  if (!params.clientRequestToken.empty()) {
    if (auto existing = store_.FindMeetingIdByToken(params.clientRequestToken)) {
      if (auto meeting = store_.FindMeeting(*existing)) {
        result.meeting = Placed(std::move(*meeting));
        result.attendees =
            store_.ListAttendees(result.meeting.meetingId, 0, kMaxCreateWithAttendees).attendees;
        return result;
      }
    }
  }
  const int64_t now = NowSeconds();
  result.meeting = MakeMeeting(params, now);
  result.attendees = MakeAttendees(result.meeting.meetingId, attendees, result.errors, now);
  if (static_cast<int>(result.attendees.size()) > config_.maxAttendees)
    throw LimitExceeded("The meeting would exceed " + std::to_string(config_.maxAttendees) + " attendees.");
  if (placement_ != nullptr) result.meeting.audioHostUrl = placement_->Resolve(result.meeting.meetingId);
  store_.InsertMeeting(result.meeting, result.attendees, params.clientRequestToken);
  log::Info("api", "meeting {} created ({} attendees)", result.meeting.meetingId, result.attendees.size());
  return result;
}

AttendeeRecord MeetingsService::CreateAttendee(const std::string& meetingId,
                                               const CreateAttendeeParams& params) {
  CheckMeetingId(meetingId);
  RequestValidator::CheckExternalUserId(params.externalUserId);
  RequestValidator::CheckCapability(params.capabilities.audio, "Audio");
  RequestValidator::CheckCapability(params.capabilities.video, "Video");
  RequestValidator::CheckCapability(params.capabilities.content, "Content");
  auto result = BatchCreateAttendee(meetingId, {params});
  if (result.attendees.empty())
    throw BadRequest(result.errors.empty() ? "invalid attendee" : result.errors[0].errorMessage);
  return std::move(result.attendees[0]);
}

BatchCreateResult MeetingsService::BatchCreateAttendee(const std::string& meetingId,
                                                       const std::vector<CreateAttendeeParams>& attendees) {
  CheckMeetingId(meetingId);
  if (attendees.empty() || static_cast<int>(attendees.size()) > kMaxBatchAttendees)
    throw BadRequest("Attendees must contain 1-" + std::to_string(kMaxBatchAttendees) + " items.");
  std::lock_guard lock(mutex_);
  if (!store_.FindMeeting(meetingId)) MeetingNotFound(meetingId);
  const int64_t now = NowSeconds();
  BatchCreateResult result;
  std::vector<CreateAttendeeParams> fresh;
  std::vector<AttendeeRecord> existing;
  for (const auto& p : attendees) {
    auto found = RequestValidator::IsValidExternalId(p.externalUserId)
                     ? store_.FindAttendeeByExternalUserId(meetingId, p.externalUserId)
                     : std::nullopt;
    bool duplicateInBatch = false;
    for (const auto& f : fresh) duplicateInBatch |= f.externalUserId == p.externalUserId;
    if (found) {
      existing.push_back(std::move(*found));
    } else if (duplicateInBatch) {
      result.errors.push_back({p.externalUserId, "BadRequest", "Duplicate ExternalUserId in the request."});
    } else {
      fresh.push_back(p);
    }
  }
  auto created = MakeAttendees(meetingId, fresh, result.errors, now);
  if (remote_ != nullptr) {
    for (auto& a : created) {  // the endpoint makes the ids and tokens; the name stays here
      auto made =
          remote_->CreateAttendee(meetingId, {a.externalUserId, {a.audio, a.video, a.content}, a.name});
      made.meetingId = meetingId;
      made.name = a.name;
      made.createdAt = now;
      a = std::move(made);
    }
  }
  const int64_t count = store_.CountAttendees(meetingId);
  if (count + static_cast<int64_t>(created.size()) > config_.maxAttendees)
    throw LimitExceeded("The meeting has reached its limit of " + std::to_string(config_.maxAttendees) +
                        " attendees.");
  if (!created.empty()) store_.InsertAttendees(created);
  result.attendees = std::move(existing);
  for (auto& a : created) result.attendees.push_back(std::move(a));
  return result;
}

MeetingRecord MeetingsService::GetMeeting(const std::string& meetingId) {
  CheckMeetingId(meetingId);
  auto m = store_.FindMeeting(meetingId);
  if (!m) MeetingNotFound(meetingId);
  return Placed(std::move(*m));
}

MeetingRecord MeetingsService::Placed(MeetingRecord meeting) {
  if (placement_ != nullptr) meeting.audioHostUrl = placement_->Resolve(meeting.meetingId);
  return meeting;
}

AttendeeRecord MeetingsService::GetAttendee(const std::string& meetingId, const std::string& attendeeId) {
  CheckMeetingId(meetingId);
  CheckAttendeeId(attendeeId);
  if (!store_.FindMeeting(meetingId)) MeetingNotFound(meetingId);
  auto a = store_.FindAttendee(meetingId, attendeeId);
  if (!a) throw NotFound("The attendee " + attendeeId + " does not exist.");
  return std::move(*a);
}

AttendeeListPage MeetingsService::ListAttendees(const std::string& meetingId,
                                                const std::optional<std::string>& nextToken,
                                                std::optional<int> maxResults) {
  CheckMeetingId(meetingId);
  const int limit = maxResults.value_or(kMaxPageSize);
  if (limit < 1 || limit > kMaxPageSize) throw BadRequest("MaxResults must be between 1 and 100.");
  int64_t after = 0;
  if (nextToken && !nextToken->empty()) {
    auto seq = DecodeNextToken(*nextToken);
    if (!seq) throw BadRequest("NextToken is not valid.");
    after = *seq;
  }
  if (!store_.FindMeeting(meetingId)) MeetingNotFound(meetingId);
  auto page = store_.ListAttendees(meetingId, after, limit);
  AttendeeListPage out;
  out.attendees = std::move(page.attendees);
  if (page.nextCursor) out.nextToken = EncodeNextToken(*page.nextCursor);
  return out;
}

std::vector<AttendeeRecord> MeetingsService::ListAllAttendees(const std::string& meetingId) {
  std::vector<AttendeeRecord> out;
  int64_t after = 0;
  for (;;) {
    auto page = store_.ListAttendees(meetingId, after, 500);
    for (auto& a : page.attendees) out.push_back(std::move(a));
    if (!page.nextCursor) return out;
    after = *page.nextCursor;
  }
}

std::vector<AttendeeRecord> MeetingsService::ListRoster(const std::string& meetingId) {
  auto all = ListAllAttendees(meetingId);
  std::erase_if(all, [](const AttendeeRecord& a) { return a.leftAt != 0; });
  return all;
}

void MeetingsService::DeleteAttendee(const std::string& meetingId, const std::string& attendeeId) {
  CheckMeetingId(meetingId);
  CheckAttendeeId(attendeeId);
  if (!store_.FindMeeting(meetingId)) MeetingNotFound(meetingId);
  if (!store_.DeleteAttendee(meetingId, attendeeId))
    throw NotFound("The attendee " + attendeeId + " does not exist.");
  {
    std::lock_guard lock(connectedMutex_);
    if (auto it = dropped_.find(meetingId); it != dropped_.end()) it->second.erase(attendeeId);
  }
  AttendeeDisconnected(meetingId, attendeeId, Departure::kLeft);  // gone for good; the idle clock starts
  log::Info("api", "attendee {} of meeting {} deleted", attendeeId, meetingId);
  if (listener_) listener_->OnAttendeeDeleted(meetingId, attendeeId);
}

void MeetingsService::DeleteMeeting(const std::string& meetingId) {
  CheckMeetingId(meetingId);
  {
    std::lock_guard lock(mutex_);
    if (!store_.DeleteMeeting(meetingId)) MeetingNotFound(meetingId);
  }
  EndMeeting(meetingId, MeetingEndReason::Deleted);
}

void MeetingsService::EndMeeting(const std::string& meetingId, MeetingEndReason reason) {
  {
    std::lock_guard lock(connectedMutex_);
    connected_.erase(meetingId);
    dropped_.erase(meetingId);
  }
  log::Info("api", "meeting {} ended ({})", meetingId, ToString(reason));
  if (placement_ != nullptr) {
    try {
      placement_->Forget(meetingId);
    } catch (const std::exception& e) {
      log::Warn("api", "placement of ended meeting {} not removed: {}", meetingId, e.what());
    }
  }
  if (listener_) listener_->OnMeetingEnded(meetingId, reason);
}

MeetingRecord MeetingsService::FindOrCreateMeetingForRoom(const std::string& roomId,
                                                          const std::string& mediaRegion) {
  std::lock_guard lock(mutex_);
  if (remote_ != nullptr) return FindOrCreateRemoteMeetingLocked(roomId, mediaRegion);
  if (auto m = store_.FindMeetingByExternalId(roomId)) return Placed(std::move(*m));
  CreateMeetingParams params;
  params.externalMeetingId = roomId;
  params.mediaRegion = mediaRegion;
  MeetingRecord m = MakeMeeting(params, NowSeconds());
  // Atomic in a shared store: two nodes creating the room at once get one meeting.
  if (auto existing = store_.ClaimRoom(m)) return Placed(std::move(*existing));
  log::Info("api", "meeting {} created for a room", m.meetingId);
  return Placed(std::move(m));
}

MeetingRecord MeetingsService::FindOrCreateRemoteMeetingLocked(const std::string& roomId,
                                                               const std::string& mediaRegion) {
  if (auto m = store_.FindMeetingByExternalId(roomId)) {
    if (auto live = remote_->GetMeeting(m->meetingId)) {
      m->mediaPlacementJson = live->mediaPlacementJson;
      return std::move(*m);
    }
    store_.DeleteMeeting(m->meetingId);  // ended on the endpoint: the room gets a new meeting
  }
  MeetingRecord m = remote_->CreateMeeting(roomId, mediaRegion);
  m.externalMeetingId = roomId;
  m.createdAt = m.idleSince = NowSeconds();
  store_.InsertMeeting(m, {}, "");
  log::Info("api", "meeting {} created on the Chime endpoint for a room", m.meetingId);
  return m;
}

std::optional<MeetingRecord> MeetingsService::FindMeetingForRoom(const std::string& roomId) {
  return store_.FindMeetingByExternalId(roomId);
}

std::optional<AttendeeRecord> MeetingsService::FindAttendeeByJoinToken(const std::string& meetingId,
                                                                       const std::string& token) {
  if (token.empty()) return std::nullopt;
  return store_.FindAttendeeByJoinToken(meetingId, token);
}

void MeetingsService::AttendeeConnected(const std::string& meetingId, const std::string& attendeeId) {
  {
    std::lock_guard lock(connectedMutex_);
    connected_[meetingId].insert(attendeeId);
    if (auto it = dropped_.find(meetingId); it != dropped_.end()) {
      it->second.erase(attendeeId);
      if (it->second.empty()) dropped_.erase(it);
    }
  }
  // Back after a LEAVE (the join token still admits it): on the roster again.
  Write([this, meetingId, attendeeId] {
    auto a = store_.FindAttendee(meetingId, attendeeId);
    if (a && a->leftAt != 0) store_.SetAttendeeLeftAt(meetingId, attendeeId, 0);
  });
}

void MeetingsService::AttendeeDisconnected(const std::string& meetingId, const std::string& attendeeId,
                                           Departure how) {
  const int64_t now = NowSeconds();
  bool nowIdle = false;
  bool wasConnected = false;
  {
    std::lock_guard lock(connectedMutex_);
    auto it = connected_.find(meetingId);
    if (it != connected_.end() && it->second.erase(attendeeId) > 0) {
      wasConnected = true;
      if (it->second.empty()) {
        connected_.erase(it);
        nowIdle = true;
      }
    }
    if (wasConnected && how == Departure::kDropped) dropped_[meetingId][attendeeId] = now;
  }
  if (!wasConnected) return;
  Write([this, meetingId, attendeeId, how, nowIdle, now] {
    if (how == Departure::kLeft) store_.SetAttendeeLeftAt(meetingId, attendeeId, now);
    if (nowIdle) store_.SetMeetingIdleSince(meetingId, now);
  });
}

void MeetingsService::MarkDroppedAttendeesLeft(int64_t now) {
  std::vector<std::tuple<std::string, std::string, int64_t>> gone;
  {
    std::lock_guard lock(connectedMutex_);
    for (auto meeting = dropped_.begin(); meeting != dropped_.end();) {
      for (auto a = meeting->second.begin(); a != meeting->second.end();) {
        if (now - a->second >= kReconnectWindowSeconds) {
          gone.emplace_back(meeting->first, a->first, a->second);
          a = meeting->second.erase(a);
        } else {
          ++a;
        }
      }
      meeting = meeting->second.empty() ? dropped_.erase(meeting) : std::next(meeting);
    }
  }
  for (const auto& [meetingId, attendeeId, droppedAt] : gone) {
    store_.SetAttendeeLeftAt(meetingId, attendeeId, droppedAt);
    log::Info("api", "attendee {} of meeting {} did not come back: left", attendeeId, meetingId);
  }
}

int MeetingsService::Sweep(int64_t now) {
  if (remote_ != nullptr) return 0;  // AWS mode: the endpoint ends its meetings
  MarkDroppedAttendeesLeft(now);
  const int64_t idleCutoff = now - config_.meetingIdleSeconds;
  const int64_t ageCutoff = now - config_.meetingMaxSeconds;
  // Meetings from before start-up: their clients may still be reconnecting, and their idle clock
  // restarts at start-up. None ends idle until the grace period has passed.
  const bool inGrace = now < startedAt_ + kReconnectWindowSeconds;
  std::vector<std::pair<std::string, MeetingEndReason>> ended;
  std::unique_lock lock(mutex_);  // no attendee is added to a meeting while it is being removed
  for (const auto& m : store_.ListExpiryCandidates(idleCutoff, ageCutoff)) {
    if (placement_ != nullptr && !placement_->IsLocal(m.meetingId)) continue;  // its host sweeps it
    MeetingEndReason reason;
    if (m.createdAt <= ageCutoff) {
      reason = MeetingEndReason::MaxDuration;
    } else {
      if (m.idleSince < startedAt_ && (inGrace || startedAt_ > idleCutoff)) continue;
      std::lock_guard connectedLock(connectedMutex_);
      auto it = connected_.find(m.meetingId);
      if (it != connected_.end() && !it->second.empty()) continue;  // someone is in it
      reason = MeetingEndReason::Idle;
    }
    if (store_.DeleteMeeting(m.meetingId)) ended.emplace_back(m.meetingId, reason);
  }
  lock.unlock();
  for (const auto& [id, reason] : ended) EndMeeting(id, reason);
  return static_cast<int>(ended.size());
}

MeetingsStats MeetingsService::Stats() {
  const auto s = store_.Stats();
  MeetingsStats out;
  out.activeMeetings = s.meetings;
  out.attendees = s.attendees;
  std::lock_guard lock(connectedMutex_);
  for (const auto& [id, set] : connected_) out.connectedAttendees += static_cast<int64_t>(set.size());
  return out;
}

}  // namespace medicall::meetings
