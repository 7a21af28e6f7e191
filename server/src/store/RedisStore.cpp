#include "store/RedisStore.hpp"

#include "common/Digest.hpp"

#include <charconv>
#include <map>
#include <set>
#include <stdexcept>

#include "common/Digest.hpp"
#include "common/Logger.hpp"

namespace medicall::store {

namespace {

const std::string kPrefix = "medicall:";

// Lua shared by the scripts that add attendees. An attendee is 9 arguments from ARGV[o]:
// meetingId, attendeeId, externalUserId, joinToken, audio, video, content, name, createdAt.
constexpr const char* kAttendeeLua = R"lua(
local P = 'medicall:'
local function checkAttendees(base, n)
  local seen = {}
  for i = 0, n - 1 do
    local o = base + i * 9
    local key = ARGV[o] .. ':' .. ARGV[o + 1]
    if seen[key] or redis.call('EXISTS', P .. 'a:' .. key) == 1 then return key end
    seen[key] = true
  end
  return nil
end
local function addAttendees(base, n)
  for i = 0, n - 1 do
    local o = base + i * 9
    local mid, aid = ARGV[o], ARGV[o + 1]
    local seq = redis.call('INCR', P .. 'seq')
    redis.call('HSET', P .. 'a:' .. mid .. ':' .. aid, 'seq', seq, 'mid', mid, 'aid', aid, 'ext', ARGV[o + 2],
      'jt', ARGV[o + 3], 'audio', ARGV[o + 4], 'video', ARGV[o + 5], 'content', ARGV[o + 6],
      'name', ARGV[o + 7], 'created', ARGV[o + 8], 'left', 0)
    redis.call('ZADD', P .. 'm:' .. mid .. ':a', seq, aid)
    redis.call('HSETNX', P .. 'm:' .. mid .. ':ext', ARGV[o + 2], aid)
    redis.call('HSET', P .. 'm:' .. mid .. ':jt', ARGV[o + 3], aid)
  end
  if n > 0 then redis.call('INCRBY', P .. 'attendees', n) end
end
-- The newest meeting of a room: highest createdAt, then the latest inserted.
local function newest(ext)
  local key = P .. 'ext:' .. ext
  local top = redis.call('ZREVRANGE', key, 0, 0, 'WITHSCORES')
  if #top == 0 then return false end
  local best, bestIns = false, -1
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', key, top[2], top[2])) do
    local ins = tonumber(redis.call('HGET', P .. 'm:' .. id, 'ins') or '0')
    if ins > bestIns then best, bestIns = id, ins end
  end
  return best
end
-- A meeting from ARGV[1..11]: id, ext, host, region, primary, features, notifications, tags,
-- tenants, createdAt, idleSince.
local function addMeeting()
  local id = ARGV[1]
  local ins = redis.call('INCR', P .. 'mseq')
  redis.call('HSET', P .. 'm:' .. id, 'id', id, 'ext', ARGV[2], 'host', ARGV[3], 'region', ARGV[4],
    'primary', ARGV[5], 'features', ARGV[6], 'notifications', ARGV[7], 'tags', ARGV[8], 'tenants', ARGV[9],
    'created', ARGV[10], 'idle', ARGV[11], 'ins', ins)
  redis.call('ZADD', P .. 'ext:' .. ARGV[2], ARGV[10], id)
  redis.call('ZADD', P .. 'idle', ARGV[11], id)
  redis.call('ZADD', P .. 'created', ARGV[10], id)
  redis.call('SADD', P .. 'meetings', id)
end
)lua";

// ARGV: meeting (11), clientRequestToken, attendee count, attendees.
const std::string kInsertMeeting = std::string(kAttendeeLua) + R"lua(
if redis.call('EXISTS', P .. 'm:' .. ARGV[1]) == 1 then return redis.error_reply('meeting exists') end
local n = tonumber(ARGV[13])
local dup = checkAttendees(14, n)
if dup then return redis.error_reply('duplicate attendee ' .. dup) end
addMeeting()
if ARGV[12] ~= '' then
  redis.call('SET', P .. 'tok:' .. ARGV[12], ARGV[1])
  redis.call('SADD', P .. 'm:' .. ARGV[1] .. ':tok', ARGV[12])
end
addAttendees(14, n)
return 1
)lua";

// ARGV: meeting (11). Returns the room's existing meeting id, or false when this one was inserted.
const std::string kClaimRoom = std::string(kAttendeeLua) + R"lua(
local existing = newest(ARGV[2])
if existing then return existing end
addMeeting()
return false
)lua";

const std::string kNewest = std::string(kAttendeeLua) + "return newest(ARGV[1])\n";

// ARGV: attendee count, attendees.
const std::string kInsertAttendees = std::string(kAttendeeLua) + R"lua(
local n = tonumber(ARGV[1])
local dup = checkAttendees(2, n)
if dup then return redis.error_reply('duplicate attendee ' .. dup) end
addAttendees(2, n)
return n
)lua";

const std::string kDeleteMeeting = R"lua(
local P = 'medicall:'
local id = ARGV[1]
local mk = P .. 'm:' .. id
local aids = redis.call('ZRANGE', mk .. ':a', 0, -1)
for _, aid in ipairs(aids) do redis.call('DEL', P .. 'a:' .. id .. ':' .. aid) end
if #aids > 0 then redis.call('DECRBY', P .. 'attendees', #aids) end
redis.call('DEL', mk .. ':a', mk .. ':ext', mk .. ':jt')
for _, t in ipairs(redis.call('SMEMBERS', mk .. ':tok')) do
  if redis.call('GET', P .. 'tok:' .. t) == id then redis.call('DEL', P .. 'tok:' .. t) end
end
redis.call('DEL', mk .. ':tok')
local ext = redis.call('HGET', mk, 'ext')
if not ext then return 0 end
redis.call('DEL', mk)
redis.call('ZREM', P .. 'ext:' .. ext, id)
redis.call('ZREM', P .. 'idle', id)
redis.call('ZREM', P .. 'created', id)
redis.call('SREM', P .. 'meetings', id)
return 1
)lua";

const std::string kDeleteAttendee = R"lua(
local P = 'medicall:'
local mid, aid = ARGV[1], ARGV[2]
local ak = P .. 'a:' .. mid .. ':' .. aid
if redis.call('EXISTS', ak) == 0 then return 0 end
local ext = redis.call('HGET', ak, 'ext')
local jt = redis.call('HGET', ak, 'jt')
redis.call('DEL', ak)
local members = P .. 'm:' .. mid .. ':a'
redis.call('ZREM', members, aid)
redis.call('DECR', P .. 'attendees')
if redis.call('HGET', P .. 'm:' .. mid .. ':jt', jt) == aid then redis.call('HDEL', P .. 'm:' .. mid .. ':jt', jt) end
local extKey = P .. 'm:' .. mid .. ':ext'
if redis.call('HGET', extKey, ext) == aid then
  redis.call('HDEL', extKey, ext)
  -- Another attendee with the same ExternalUserId, if any, is the one found now (lowest seq).
  for _, other in ipairs(redis.call('ZRANGE', members, 0, -1)) do
    if redis.call('HGET', P .. 'a:' .. mid .. ':' .. other, 'ext') == ext then
      redis.call('HSET', extKey, ext, other)
      break
    end
  end
end
return 1
)lua";

const std::string kSetLeftAt = R"lua(
local ak = 'medicall:a:' .. ARGV[1] .. ':' .. ARGV[2]
if redis.call('EXISTS', ak) == 0 then return 0 end
redis.call('HSET', ak, 'left', ARGV[3])
return 1
)lua";

const std::string kSetIdleSince = R"lua(
local mk = 'medicall:m:' .. ARGV[1]
if redis.call('EXISTS', mk) == 0 then return 0 end
redis.call('HSET', mk, 'idle', ARGV[2])
redis.call('ZADD', 'medicall:idle', ARGV[2], ARGV[1])
return 1
)lua";

using Fields = std::map<std::string, std::string>;

Fields ToFields(const RedisValue& v) {
  Fields out;
  for (size_t i = 0; i + 1 < v.elements.size(); i += 2) out[v.elements[i].text] = v.elements[i + 1].text;
  return out;
}

int64_t ToInt(const std::string& s) {
  int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

const std::string& Field(const Fields& f, const char* name) {
  static const std::string kEmpty;
  auto it = f.find(name);
  return it == f.end() ? kEmpty : it->second;
}

MeetingRecord ToMeeting(const Fields& f) {
  MeetingRecord m;
  m.meetingId = Field(f, "id");
  m.externalMeetingId = Field(f, "ext");
  m.meetingHostId = Field(f, "host");
  m.mediaRegion = Field(f, "region");
  m.primaryMeetingId = Field(f, "primary");
  m.featuresJson = Field(f, "features");
  m.notificationsJson = Field(f, "notifications");
  m.tagsJson = Field(f, "tags");
  m.tenantIdsJson = Field(f, "tenants");
  m.createdAt = ToInt(Field(f, "created"));
  m.idleSince = ToInt(Field(f, "idle"));
  return m;
}

AttendeeRecord ToAttendee(const Fields& f) {
  AttendeeRecord a;
  a.seq = ToInt(Field(f, "seq"));
  a.meetingId = Field(f, "mid");
  a.attendeeId = Field(f, "aid");
  a.externalUserId = Field(f, "ext");
  // Only the join token's SHA-256 is kept (as in SqliteStore): it is never read back.
  a.audio = Field(f, "audio");
  a.video = Field(f, "video");
  a.content = Field(f, "content");
  a.name = Field(f, "name");
  a.createdAt = ToInt(Field(f, "created"));
  a.leftAt = ToInt(Field(f, "left"));
  return a;
}

std::vector<std::string> MeetingArgs(const MeetingRecord& m) {
  return {m.meetingId,
          m.externalMeetingId,
          m.meetingHostId,
          m.mediaRegion,
          m.primaryMeetingId,
          m.featuresJson,
          m.notificationsJson,
          m.tagsJson,
          m.tenantIdsJson,
          std::to_string(m.createdAt),
          std::to_string(m.idleSince)};
}

void AppendAttendees(std::vector<std::string>& args, const std::vector<AttendeeRecord>& attendees) {
  args.push_back(std::to_string(attendees.size()));
  for (const auto& a : attendees) {
    const std::string tokenHash = digest::Sha256Hex(a.joinToken);
    for (const std::string* s : {&a.meetingId, &a.attendeeId, &a.externalUserId, &tokenHash, &a.audio,
                                 &a.video, &a.content, &a.name})
      args.push_back(*s);
    args.push_back(std::to_string(a.createdAt));
  }
}

std::string MeetingKey(const std::string& id) { return kPrefix + "m:" + id; }
std::string AttendeeKey(const std::string& mid, const std::string& aid) {
  return kPrefix + "a:" + mid + ":" + aid;
}

}  // namespace

RedisStore::RedisStore(const RedisEndpoint& endpoint, std::chrono::milliseconds timeout)
    : write_(endpoint, timeout), read_(endpoint, timeout) {}

void RedisStore::Ping() {
  std::lock_guard lock(readMutex_);
  read_.Command({"PING"});
}

void RedisStore::InsertMeeting(const MeetingRecord& m, const std::vector<AttendeeRecord>& attendees,
                               const std::string& clientRequestToken) {
  auto args = MeetingArgs(m);
  args.push_back(clientRequestToken);
  AppendAttendees(args, attendees);
  std::lock_guard lock(writeMutex_);
  write_.Script(kInsertMeeting, {}, args);
}

std::optional<MeetingRecord> RedisStore::ClaimRoom(const MeetingRecord& meeting) {
  RedisValue existing;
  {
    std::lock_guard lock(writeMutex_);
    existing = write_.Script(kClaimRoom, {}, MeetingArgs(meeting));
  }
  if (existing.IsNil()) return std::nullopt;
  std::lock_guard lock(readMutex_);
  if (auto found = ReadMeetingLocked(existing.text)) return found;
  // Deleted between the claim and the read: the caller gets the meeting it asked for.
  throw std::runtime_error("redis: the room's meeting " + existing.text + " vanished while being claimed");
}

std::optional<MeetingRecord> RedisStore::ReadMeetingLocked(const std::string& meetingId) {
  const auto reply = read_.Command({"HGETALL", MeetingKey(meetingId)});
  if (reply.elements.empty()) return std::nullopt;
  return ToMeeting(ToFields(reply));
}

std::optional<MeetingRecord> RedisStore::FindMeeting(const std::string& meetingId) {
  std::lock_guard lock(readMutex_);
  return ReadMeetingLocked(meetingId);
}

std::optional<MeetingRecord> RedisStore::FindMeetingByExternalId(const std::string& externalMeetingId) {
  std::lock_guard lock(readMutex_);
  const auto id = read_.Script(kNewest, {}, {externalMeetingId});
  if (id.IsNil()) return std::nullopt;
  return ReadMeetingLocked(id.text);
}

std::optional<std::string> RedisStore::FindMeetingIdByToken(const std::string& clientRequestToken) {
  std::lock_guard lock(readMutex_);
  const auto id = read_.Command({"GET", kPrefix + "tok:" + clientRequestToken});
  if (id.IsNil()) return std::nullopt;
  return id.text;
}

void RedisStore::SetMeetingIdleSince(const std::string& meetingId, int64_t idleSince) {
  std::lock_guard lock(writeMutex_);
  write_.Script(kSetIdleSince, {}, {meetingId, std::to_string(idleSince)});
}

std::vector<MeetingRecord> RedisStore::ListExpiryCandidates(int64_t idleCutoff, int64_t createdCutoff) {
  std::lock_guard lock(readMutex_);
  const auto ranges = read_.Pipeline({
      {"ZRANGEBYSCORE", kPrefix + "idle", "-inf", std::to_string(idleCutoff)},
      {"ZRANGEBYSCORE", kPrefix + "created", "-inf", std::to_string(createdCutoff)},
  });
  std::set<std::string> seen;
  std::vector<std::vector<std::string>> reads;
  for (const auto& range : ranges)
    for (const auto& id : range.elements)
      if (seen.insert(id.text).second) reads.push_back({"HGETALL", MeetingKey(id.text)});
  std::vector<MeetingRecord> out;
  if (reads.empty()) return out;
  for (const auto& reply : read_.Pipeline(reads))
    if (!reply.elements.empty()) out.push_back(ToMeeting(ToFields(reply)));
  return out;
}

bool RedisStore::DeleteMeeting(const std::string& meetingId) {
  std::lock_guard lock(writeMutex_);
  return write_.Script(kDeleteMeeting, {}, {meetingId}).integer == 1;
}

void RedisStore::InsertAttendees(const std::vector<AttendeeRecord>& attendees) {
  std::vector<std::string> args;
  AppendAttendees(args, attendees);
  std::lock_guard lock(writeMutex_);
  write_.Script(kInsertAttendees, {}, args);
}

std::optional<AttendeeRecord> RedisStore::FindAttendee(const std::string& meetingId,
                                                       const std::string& attendeeId) {
  std::lock_guard lock(readMutex_);
  const auto reply = read_.Command({"HGETALL", AttendeeKey(meetingId, attendeeId)});
  if (reply.elements.empty()) return std::nullopt;
  return ToAttendee(ToFields(reply));
}

std::optional<AttendeeRecord> RedisStore::FindAttendeeByIndexLocked(const std::string& meetingId,
                                                                    const char* index,
                                                                    const std::string& key) {
  const auto id = read_.Command({"HGET", MeetingKey(meetingId) + ":" + index, key});
  if (id.IsNil()) return std::nullopt;
  const auto reply = read_.Command({"HGETALL", AttendeeKey(meetingId, id.text)});
  if (reply.elements.empty()) return std::nullopt;
  return ToAttendee(ToFields(reply));
}

std::optional<AttendeeRecord> RedisStore::FindAttendeeByExternalUserId(const std::string& meetingId,
                                                                       const std::string& externalUserId) {
  std::lock_guard lock(readMutex_);
  return FindAttendeeByIndexLocked(meetingId, "ext", externalUserId);
}

std::optional<AttendeeRecord> RedisStore::FindAttendeeByJoinToken(const std::string& meetingId,
                                                                  const std::string& joinToken) {
  std::lock_guard lock(readMutex_);
  return FindAttendeeByIndexLocked(meetingId, "jt", digest::Sha256Hex(joinToken));
}

std::vector<AttendeeRecord> RedisStore::ReadAttendeesLocked(const std::string& meetingId,
                                                            const std::vector<std::string>& attendeeIds) {
  std::vector<AttendeeRecord> out;
  if (attendeeIds.empty()) return out;
  std::vector<std::vector<std::string>> reads;
  for (const auto& id : attendeeIds) reads.push_back({"HGETALL", AttendeeKey(meetingId, id)});
  for (const auto& reply : read_.Pipeline(reads))
    if (!reply.elements.empty()) out.push_back(ToAttendee(ToFields(reply)));  // deleted meanwhile: skipped
  return out;
}

AttendeePage RedisStore::ListAttendees(const std::string& meetingId, int64_t afterSeq, int limit) {
  if (limit < 1) limit = 1;
  std::lock_guard lock(readMutex_);
  const auto ids =
      read_.Command({"ZRANGEBYSCORE", MeetingKey(meetingId) + ":a", "(" + std::to_string(afterSeq), "+inf",
                     "LIMIT", "0", std::to_string(static_cast<int64_t>(limit) + 1)});
  std::vector<std::string> attendeeIds;
  for (const auto& id : ids.elements) attendeeIds.push_back(id.text);
  AttendeePage page;
  const bool more = attendeeIds.size() > static_cast<size_t>(limit);
  if (more) attendeeIds.pop_back();
  page.attendees = ReadAttendeesLocked(meetingId, attendeeIds);
  if (more && !page.attendees.empty()) page.nextCursor = page.attendees.back().seq;
  return page;
}

int64_t RedisStore::CountAttendees(const std::string& meetingId) {
  std::lock_guard lock(readMutex_);
  return read_.Command({"ZCARD", MeetingKey(meetingId) + ":a"}).integer;
}

bool RedisStore::DeleteAttendee(const std::string& meetingId, const std::string& attendeeId) {
  std::lock_guard lock(writeMutex_);
  return write_.Script(kDeleteAttendee, {}, {meetingId, attendeeId}).integer == 1;
}

bool RedisStore::SetAttendeeLeftAt(const std::string& meetingId, const std::string& attendeeId,
                                   int64_t leftAt) {
  std::lock_guard lock(writeMutex_);
  return write_.Script(kSetLeftAt, {}, {meetingId, attendeeId, std::to_string(leftAt)}).integer == 1;
}

StoreStats RedisStore::Stats() {
  std::lock_guard lock(readMutex_);
  const auto replies = read_.Pipeline({{"SCARD", kPrefix + "meetings"}, {"GET", kPrefix + "attendees"}});
  StoreStats stats;
  stats.meetings = replies[0].integer;
  stats.attendees = replies[1].IsNil() ? 0 : ToInt(replies[1].text);
  return stats;
}

}  // namespace medicall::store
