#include "store/RedisClinicStore.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <stdexcept>
#include <tuple>

namespace medicall::store {

namespace {

const std::string kPrefix = "medicall:clinic:";
const std::string kGenesisHash(64, '0');
constexpr size_t kAuditBatch = 256;
// A session key outlives the session's own end by this much (the end is checked on every read,
// with the node's clock; the TTL only collects what nobody reads again).
constexpr int64_t kSessionTtlSlackMs = 60'000;

// Shared by the scripts: the prefix and the upkeep of a wait's indexes from its hash.
constexpr const char* kPrelude = R"lua(
local P = 'medicall:clinic:'
local function reindexWait(id)
  local f = redis.call('HMGET', P .. 'w:' .. id, 'visit', 'clinic', 'state', 'seq')
  local visit, clinic, state, seq = f[1], f[2], f[3], f[4]
  if not clinic then return end
  if visit == '' and state == 'waiting' then
    redis.call('ZADD', P .. 'queue:' .. clinic, seq, id)
  else
    redis.call('ZREM', P .. 'queue:' .. clinic, id)
  end
  if visit ~= '' then
    local ww = P .. 'vwaiting:' .. visit
    if state == 'waiting' then redis.call('SADD', ww, id) else redis.call('SREM', ww, id) end
    if redis.call('SCARD', ww) > 0 then
      redis.call('SADD', P .. 'waitingvisits:' .. clinic, visit)
    else
      redis.call('SREM', P .. 'waitingvisits:' .. clinic, visit)
    end
  end
end
-- A visit from ARGV[o .. o+10]: id, clinic, clinician, patient, scheduled, created, link,
-- linkExpires, meeting, ended, linkState. False when the id exists.
local function addVisit(o)
  local id = ARGV[o]
  local vk = P .. 'v:' .. id
  if redis.call('EXISTS', vk) == 1 then return false end
  redis.call('HSET', vk, 'id', id, 'clinic', ARGV[o + 1], 'clinician', ARGV[o + 2], 'patient', ARGV[o + 3],
    'scheduled', ARGV[o + 4], 'created', ARGV[o + 5], 'link', ARGV[o + 6], 'linkExpires', ARGV[o + 7],
    'meeting', ARGV[o + 8], 'ended', ARGV[o + 9], 'linkState', ARGV[o + 10])
  redis.call('HSET', P .. 'vlink', ARGV[o + 6], id)
  if ARGV[o + 8] ~= '' then redis.call('HSET', P .. 'vmeeting', ARGV[o + 8], id) end
  redis.call('ZADD', P .. 'visits', ARGV[o + 5], id)
  local listed = math.max(tonumber(ARGV[o + 4]), tonumber(ARGV[o + 5]))
  redis.call('ZADD', P .. 'cvisits:' .. ARGV[o + 1], listed, id)
  return true
end
)lua";

std::string Script(const char* body) { return std::string(kPrelude) + body; }

// ARGV: id, email, name, role, clinic, passwordHash, disabled, onDuty, createdAt.
const std::string kInsertUser = Script(R"lua(
if redis.call('EXISTS', P .. 'u:' .. ARGV[1]) == 1 then return 0 end
if redis.call('HSETNX', P .. 'emails', ARGV[2], ARGV[1]) == 0 then return 0 end
redis.call('HSET', P .. 'u:' .. ARGV[1], 'id', ARGV[1], 'email', ARGV[2], 'name', ARGV[3], 'role', ARGV[4],
  'clinic', ARGV[5], 'password', ARGV[6], 'disabled', ARGV[7], 'onDuty', ARGV[8], 'created', ARGV[9])
redis.call('SADD', P .. 'users', ARGV[1])
return 1
)lua");

// ARGV: email, disabled.
const std::string kSetDisabled = Script(R"lua(
local id = redis.call('HGET', P .. 'emails', ARGV[1])
if not id then return 0 end
redis.call('HSET', P .. 'u:' .. id, 'disabled', ARGV[2])
return 1
)lua");

// ARGV: userId, passwordHash.
const std::string kSetPassword = Script(R"lua(
local uk = P .. 'u:' .. ARGV[1]
if redis.call('EXISTS', uk) == 0 then return 0 end
redis.call('HSET', uk, 'password', ARGV[2])
return 1
)lua");

// ARGV: tokenHash, userId, expiresAt, usedAt.
const std::string kInsertToken = Script(R"lua(
local tk = P .. 'pt:' .. ARGV[1]
if redis.call('EXISTS', tk) == 1 then return redis.error_reply('password token exists') end
redis.call('HSET', tk, 'user', ARGV[2], 'expires', ARGV[3], 'used', ARGV[4])
return 1
)lua");

// ARGV: tokenHash, now. Returns {TokenUse, userId}.
const std::string kUseToken = Script(R"lua(
local tk = P .. 'pt:' .. ARGV[1]
local f = redis.call('HMGET', tk, 'user', 'expires', 'used')
if not f[1] then return {0, ''} end
if tonumber(f[3]) ~= 0 then return {2, ''} end
if tonumber(f[2]) <= tonumber(ARGV[2]) then return {3, ''} end
redis.call('HSET', tk, 'used', ARGV[2])
return {1, f[1]}
)lua");

const std::string kInsertVisit = Script(R"lua(
if not addVisit(1) then return redis.error_reply('visit exists') end
return 1
)lua");

// ARGV: id, clinician, meeting, ended, linkState.
const std::string kUpdateVisit = Script(R"lua(
local vk = P .. 'v:' .. ARGV[1]
local old = redis.call('HGET', vk, 'meeting')
if not old then return 0 end
redis.call('HSET', vk, 'clinician', ARGV[2], 'meeting', ARGV[3], 'ended', ARGV[4], 'linkState', ARGV[5])
if old ~= ARGV[3] then
  if old ~= '' and redis.call('HGET', P .. 'vmeeting', old) == ARGV[1] then
    redis.call('HDEL', P .. 'vmeeting', old)
  end
  if ARGV[3] ~= '' then redis.call('HSET', P .. 'vmeeting', ARGV[3], ARGV[1]) end
end
return 1
)lua");

// ARGV: id, visit, clinic, name, since, state, attendee.
const std::string kInsertWait = Script(R"lua(
local wk = P .. 'w:' .. ARGV[1]
if redis.call('EXISTS', wk) == 1 then return redis.error_reply('wait exists') end
local seq = redis.call('INCR', P .. 'wseq')
redis.call('HSET', wk, 'id', ARGV[1], 'visit', ARGV[2], 'clinic', ARGV[3], 'name', ARGV[4], 'since', ARGV[5],
  'state', ARGV[6], 'attendee', ARGV[7], 'seq', seq)
if ARGV[2] == '' then
  redis.call('ZADD', P .. 'queued', ARGV[5], ARGV[1])
else
  redis.call('ZADD', P .. 'vwaits:' .. ARGV[2], seq, ARGV[1])
end
reindexWait(ARGV[1])
return seq
)lua");

// ARGV: id, state, attendee.
const std::string kSetWaitState = Script(R"lua(
local wk = P .. 'w:' .. ARGV[1]
if redis.call('EXISTS', wk) == 0 then return 0 end
redis.call('HSET', wk, 'state', ARGV[2], 'attendee', ARGV[3])
reindexWait(ARGV[1])
return 1
)lua");

// ARGV: waitId, then the visit (11). 1 when taken, 0 when it was no longer in the queue.
const std::string kTakeQueuedWait = Script(R"lua(
local wk = P .. 'w:' .. ARGV[1]
local f = redis.call('HMGET', wk, 'visit', 'state', 'seq')
if f[1] ~= '' or f[2] ~= 'waiting' then return 0 end
if not addVisit(2) then return redis.error_reply('visit exists') end
redis.call('HSET', wk, 'visit', ARGV[2])
redis.call('ZREM', P .. 'queued', ARGV[1])
redis.call('ZADD', P .. 'vwaits:' .. ARGV[2], f[3], ARGV[1])
reindexWait(ARGV[1])
return 1
)lua");

// ARGV: seq, time, actor, action, visitId, meetingId, target, detail, prevHash, hash. Appends only
// if the chain's last entry is still seq - 1 with hash prevHash; else returns {lastSeq, lastHash}.
const std::string kAppendAudit = Script(R"lua(
local last = redis.call('HMGET', P .. 'alast', 'seq', 'hash')
local lastSeq = tonumber(last[1] or '0')
local lastHash = last[2] or ARGV[11]
if lastSeq + 1 ~= tonumber(ARGV[1]) or lastHash ~= ARGV[9] then return {lastSeq, lastHash} end
redis.call('HSET', P .. 'a:' .. ARGV[1], 'seq', ARGV[1], 'time', ARGV[2], 'actor', ARGV[3], 'action', ARGV[4],
  'visit', ARGV[5], 'meeting', ARGV[6], 'target', ARGV[7], 'detail', ARGV[8], 'prev', ARGV[9], 'hash', ARGV[10])
redis.call('ZADD', P .. 'atime', ARGV[2], ARGV[1])
redis.call('HSET', P .. 'alast', 'seq', ARGV[1], 'hash', ARGV[10])
return 1
)lua");

// ARGV: cutoff. Returns the number of visits deleted.
const std::string kPurge = Script(R"lua(
local cutoff = tonumber(ARGV[1])
local n = 0
for _, id in ipairs(redis.call('ZRANGEBYSCORE', P .. 'visits', '-inf', '(' .. ARGV[1])) do
  local vk = P .. 'v:' .. id
  local f = redis.call('HMGET', vk, 'ended', 'meeting', 'created', 'linkExpires', 'clinic', 'link')
  local ended, meeting, created, expires = tonumber(f[1] or '0'), f[2] or '', tonumber(f[3] or '0'),
    tonumber(f[4] or '0')
  if (ended > 0 and ended < cutoff) or (ended == 0 and meeting == '' and created < cutoff and expires < cutoff) then
    for _, w in ipairs(redis.call('ZRANGE', P .. 'vwaits:' .. id, 0, -1)) do redis.call('DEL', P .. 'w:' .. w) end
    redis.call('DEL', P .. 'vwaits:' .. id, P .. 'vwaiting:' .. id, vk)
    if f[6] and redis.call('HGET', P .. 'vlink', f[6]) == id then redis.call('HDEL', P .. 'vlink', f[6]) end
    if meeting ~= '' and redis.call('HGET', P .. 'vmeeting', meeting) == id then
      redis.call('HDEL', P .. 'vmeeting', meeting)
    end
    redis.call('ZREM', P .. 'visits', id)
    if f[5] then
      redis.call('ZREM', P .. 'cvisits:' .. f[5], id)
      redis.call('SREM', P .. 'waitingvisits:' .. f[5], id)
    end
    n = n + 1
  end
end
for _, w in ipairs(redis.call('ZRANGEBYSCORE', P .. 'queued', '-inf', '(' .. ARGV[1])) do
  local clinic = redis.call('HGET', P .. 'w:' .. w, 'clinic')
  if clinic then redis.call('ZREM', P .. 'queue:' .. clinic, w) end
  redis.call('DEL', P .. 'w:' .. w)
  redis.call('ZREM', P .. 'queued', w)
end
return n
)lua");

// Session scripts: the end of a session is checked here with the node's `now`.
constexpr const char* kSessionLua = R"lua(
local function sessionOver(k, now)
  local f = redis.call('HMGET', k, 'last', 'idle', 'created', 'max')
  if not f[1] then return true end
  return now - tonumber(f[1]) >= tonumber(f[2]) or now - tonumber(f[3]) >= tonumber(f[4])
end
local function dropSession(hash)
  local user = redis.call('HGET', P .. 'sessions', hash)
  redis.call('DEL', P .. 's:' .. hash)
  redis.call('HDEL', P .. 'sessions', hash)
  if user and user ~= '' then redis.call('SREM', P .. 'su:' .. user, hash) end
end
)lua";

std::string SessionScript(const char* body) { return std::string(kPrelude) + kSessionLua + body; }

// ARGV: hash, role, user, wait, csrf, created, last, idle, max, ttlMs.
const std::string kInsertSession = SessionScript(R"lua(
local k = P .. 's:' .. ARGV[1]
redis.call('HSET', k, 'hash', ARGV[1], 'role', ARGV[2], 'user', ARGV[3], 'wait', ARGV[4], 'csrf', ARGV[5],
  'created', ARGV[6], 'last', ARGV[7], 'idle', ARGV[8], 'max', ARGV[9])
redis.call('PEXPIRE', k, ARGV[10])
redis.call('HSET', P .. 'sessions', ARGV[1], ARGV[3])
if ARGV[3] ~= '' then redis.call('SADD', P .. 'su:' .. ARGV[3], ARGV[1]) end
return 1
)lua");

// ARGV: hash, now, touch (1|0), slackMs, touch granularity. The session's fields, or false when over
// (then deleted).
const std::string kFindSession = SessionScript(R"lua(
local k = P .. 's:' .. ARGV[1]
local now = tonumber(ARGV[2])
if redis.call('EXISTS', k) == 0 then
  if redis.call('HEXISTS', P .. 'sessions', ARGV[1]) == 1 then dropSession(ARGV[1]) end
  return false
end
if sessionOver(k, now) then
  dropSession(ARGV[1])
  return false
end
if ARGV[3] == '1' and now - tonumber(redis.call('HGET', k, 'last')) >= tonumber(ARGV[5]) then
  redis.call('HSET', k, 'last', ARGV[2])
  local f = redis.call('HMGET', k, 'idle', 'created', 'max')
  local left = math.min(tonumber(f[1]), tonumber(f[2]) + tonumber(f[3]) - now)
  redis.call('PEXPIRE', k, string.format('%d', math.floor(left / 1000) + tonumber(ARGV[4])))
end
return redis.call('HGETALL', k)
)lua");

const std::string kDeleteSession = SessionScript(R"lua(
dropSession(ARGV[1])
return 1
)lua");

const std::string kDeleteSessionsOf = SessionScript(R"lua(
local hashes = redis.call('SMEMBERS', P .. 'su:' .. ARGV[1])
for _, h in ipairs(hashes) do dropSession(h) end
redis.call('DEL', P .. 'su:' .. ARGV[1])
return #hashes
)lua");

// ARGV: now.
const std::string kPurgeSessions = SessionScript(R"lua(
local now = tonumber(ARGV[1])
local n = 0
for _, h in ipairs(redis.call('HKEYS', P .. 'sessions')) do
  if sessionOver(P .. 's:' .. h, now) then
    dropSession(h)
    n = n + 1
  end
end
return n
)lua");

// The fields of an HGETALL reply.
class Fields {
 public:
  explicit Fields(const RedisValue& reply) {
    for (size_t i = 0; i + 1 < reply.elements.size(); i += 2)
      values_[reply.elements[i].text] = reply.elements[i + 1].text;
  }
  std::string Text(const char* name) const {
    auto it = values_.find(name);
    return it == values_.end() ? std::string() : it->second;
  }
  int64_t Int(const char* name) const {
    const std::string text = Text(name);
    int64_t v = 0;
    std::from_chars(text.data(), text.data() + text.size(), v);
    return v;
  }

 private:
  std::map<std::string, std::string> values_;
};

UserRecord ToUser(const Fields& f) {
  UserRecord u;
  u.userId = f.Text("id");
  u.email = f.Text("email");
  u.name = f.Text("name");
  u.role = f.Text("role");
  u.clinic = f.Text("clinic");
  u.passwordHash = f.Text("password");
  u.disabled = f.Int("disabled") != 0;
  u.onDuty = f.Int("onDuty") != 0;
  u.createdAt = f.Int("created");
  return u;
}

VisitRecord ToVisit(const Fields& f) {
  VisitRecord v;
  v.visitId = f.Text("id");
  v.clinic = f.Text("clinic");
  v.clinicianId = f.Text("clinician");
  v.patientName = f.Text("patient");
  v.scheduledAt = f.Int("scheduled");
  v.createdAt = f.Int("created");
  v.linkHash = f.Text("link");
  v.linkExpiresAt = f.Int("linkExpires");
  v.meetingId = f.Text("meeting");
  v.endedAt = f.Int("ended");
  v.linkState = f.Text("linkState");
  return v;
}

WaitRecord ToWait(const Fields& f) {
  WaitRecord w;
  w.waitId = f.Text("id");
  w.visitId = f.Text("visit");
  w.clinic = f.Text("clinic");
  w.name = f.Text("name");
  w.since = f.Int("since");
  w.state = f.Text("state");
  w.attendeeId = f.Text("attendee");
  return w;
}

AuditRecord ToAudit(const Fields& f) {
  AuditRecord a;
  a.seq = f.Int("seq");
  a.time = f.Int("time");
  a.actor = f.Text("actor");
  a.action = f.Text("action");
  a.visitId = f.Text("visit");
  a.meetingId = f.Text("meeting");
  a.target = f.Text("target");
  a.detail = f.Text("detail");
  a.prevHash = f.Text("prev");
  a.hash = f.Text("hash");
  return a;
}

SessionRecord ToSession(const Fields& f) {
  SessionRecord s;
  s.idHash = f.Text("hash");
  s.role = f.Text("role");
  s.userId = f.Text("user");
  s.waitId = f.Text("wait");
  s.csrfToken = f.Text("csrf");
  s.createdUs = f.Int("created");
  s.lastSeenUs = f.Int("last");
  s.idleUs = f.Int("idle");
  s.maxUs = f.Int("max");
  return s;
}

std::vector<std::string> VisitArgs(const VisitRecord& v) {
  return {v.visitId,
          v.clinic,
          v.clinicianId,
          v.patientName,
          std::to_string(v.scheduledAt),
          std::to_string(v.createdAt),
          v.linkHash,
          std::to_string(v.linkExpiresAt),
          v.meetingId,
          std::to_string(v.endedAt),
          v.linkState};
}

std::string Key(const char* kind, const std::string& id) { return kPrefix + kind + id; }

std::vector<std::string> Members(const RedisValue& reply, const char* kind) {
  std::vector<std::string> keys;
  keys.reserve(reply.elements.size());
  for (const auto& e : reply.elements) keys.push_back(Key(kind, e.text));
  return keys;
}

}  // namespace

RedisClinicStore::RedisClinicStore(const RedisEndpoint& endpoint, std::chrono::milliseconds timeout)
    : write_(endpoint, timeout), read_(endpoint, timeout) {}

std::vector<RedisValue> RedisClinicStore::ReadHashesLocked(const std::vector<std::string>& keys) {
  std::vector<RedisValue> out;
  if (keys.empty()) return out;
  std::vector<std::vector<std::string>> reads;
  reads.reserve(keys.size());
  for (const auto& k : keys) reads.push_back({"HGETALL", k});
  for (auto& reply : read_.Pipeline(reads))
    if (!reply.elements.empty()) out.push_back(std::move(reply));  // deleted meanwhile: skipped
  return out;
}

std::string RedisClinicStore::SharedLinkKey(const std::string& candidate) {
  std::lock_guard lock(writeMutex_);
  const auto replies =
      write_.Pipeline({{"SET", kPrefix + "linkkey", candidate, "NX"}, {"GET", kPrefix + "linkkey"}});
  if (replies[1].IsNil()) throw std::runtime_error("redis: the shared visit-link key vanished");
  return replies[1].text;
}

// ---- users ----

bool RedisClinicStore::InsertUser(const UserRecord& u) {
  std::lock_guard lock(writeMutex_);
  return write_
             .Script(kInsertUser, {},
                     {u.userId, u.email, u.name, u.role, u.clinic, u.passwordHash, u.disabled ? "1" : "0",
                      u.onDuty ? "1" : "0", std::to_string(u.createdAt)})
             .integer == 1;
}

std::optional<UserRecord> RedisClinicStore::FindUserById(const std::string& userId) {
  std::lock_guard lock(readMutex_);
  const auto reply = read_.Command({"HGETALL", Key("u:", userId)});
  if (reply.elements.empty()) return std::nullopt;
  return ToUser(Fields(reply));
}

std::optional<UserRecord> RedisClinicStore::FindUserByEmail(const std::string& email) {
  std::lock_guard lock(readMutex_);
  const auto id = read_.Command({"HGET", kPrefix + "emails", email});
  if (id.IsNil()) return std::nullopt;
  const auto reply = read_.Command({"HGETALL", Key("u:", id.text)});
  if (reply.elements.empty()) return std::nullopt;
  return ToUser(Fields(reply));
}

std::vector<UserRecord> RedisClinicStore::ListUsers() {
  std::vector<UserRecord> out;
  {
    std::lock_guard lock(readMutex_);
    for (const auto& reply : ReadHashesLocked(Members(read_.Command({"SMEMBERS", kPrefix + "users"}), "u:")))
      out.push_back(ToUser(Fields(reply)));
  }
  std::sort(out.begin(), out.end(), [](const UserRecord& a, const UserRecord& b) {
    return std::tie(a.createdAt, a.email) < std::tie(b.createdAt, b.email);
  });
  return out;
}

bool RedisClinicStore::SetUserDisabled(const std::string& email, bool disabled) {
  std::lock_guard lock(writeMutex_);
  return write_.Script(kSetDisabled, {}, {email, disabled ? "1" : "0"}).integer == 1;
}

bool RedisClinicStore::SetPasswordHash(const std::string& userId, const std::string& passwordHash) {
  std::lock_guard lock(writeMutex_);
  return write_.Script(kSetPassword, {}, {userId, passwordHash}).integer == 1;
}

void RedisClinicStore::InsertPasswordToken(const PasswordTokenRecord& t) {
  std::lock_guard lock(writeMutex_);
  write_.Script(kInsertToken, {},
                {t.tokenHash, t.userId, std::to_string(t.expiresAt), std::to_string(t.usedAt)});
}

ClinicStore::TokenUse RedisClinicStore::UsePasswordToken(const std::string& tokenHash, int64_t now,
                                                         std::string& userId) {
  RedisValue reply;
  {
    std::lock_guard lock(writeMutex_);
    reply = write_.Script(kUseToken, {}, {tokenHash, std::to_string(now)});
  }
  if (reply.elements.size() != 2) throw std::runtime_error("redis: unexpected reply to the token use");
  switch (reply.elements[0].integer) {
    case 1:
      userId = reply.elements[1].text;
      return TokenUse::kOk;
    case 2:
      return TokenUse::kUsed;
    case 3:
      return TokenUse::kExpired;
    default:
      return TokenUse::kUnknown;
  }
}

// ---- visits ----

void RedisClinicStore::InsertVisit(const VisitRecord& v) {
  std::lock_guard lock(writeMutex_);
  write_.Script(kInsertVisit, {}, VisitArgs(v));
}

std::optional<VisitRecord> RedisClinicStore::FindVisit(const std::string& visitId) {
  std::lock_guard lock(readMutex_);
  const auto reply = read_.Command({"HGETALL", Key("v:", visitId)});
  if (reply.elements.empty()) return std::nullopt;
  return ToVisit(Fields(reply));
}

std::optional<VisitRecord> RedisClinicStore::VisitByIndex(const char* index, const std::string& key) {
  std::lock_guard lock(readMutex_);
  const auto id = read_.Command({"HGET", kPrefix + index, key});
  if (id.IsNil()) return std::nullopt;
  const auto reply = read_.Command({"HGETALL", Key("v:", id.text)});
  if (reply.elements.empty()) return std::nullopt;
  return ToVisit(Fields(reply));
}

std::optional<VisitRecord> RedisClinicStore::FindVisitByLinkHash(const std::string& linkHash) {
  return VisitByIndex("vlink", linkHash);
}

std::optional<VisitRecord> RedisClinicStore::FindVisitByMeeting(const std::string& meetingId) {
  if (meetingId.empty()) return std::nullopt;
  return VisitByIndex("vmeeting", meetingId);
}

std::vector<VisitRecord> RedisClinicStore::ListVisits(const std::string& clinic, int64_t since) {
  std::vector<VisitRecord> out;
  {
    std::lock_guard lock(readMutex_);
    const auto ids = read_.Pipeline({
        {"ZRANGEBYSCORE", Key("cvisits:", clinic), std::to_string(since), "+inf"},
        {"SMEMBERS", Key("waitingvisits:", clinic)},
    });
    std::set<std::string> seen;
    std::vector<std::string> keys;
    for (const auto& list : ids)
      for (const auto& id : list.elements)
        if (seen.insert(id.text).second) keys.push_back(Key("v:", id.text));
    for (const auto& reply : ReadHashesLocked(keys)) out.push_back(ToVisit(Fields(reply)));
  }
  auto listedAt = [](const VisitRecord& v) { return v.scheduledAt > 0 ? v.scheduledAt : v.createdAt; };
  std::sort(out.begin(), out.end(), [&](const VisitRecord& a, const VisitRecord& b) {
    const int64_t la = listedAt(a);
    const int64_t lb = listedAt(b);
    return std::tie(la, a.createdAt) < std::tie(lb, b.createdAt);
  });
  return out;
}

void RedisClinicStore::UpdateVisit(const VisitRecord& v) {
  std::lock_guard lock(writeMutex_);
  write_.Script(kUpdateVisit, {},
                {v.visitId, v.clinicianId, v.meetingId, std::to_string(v.endedAt), v.linkState});
}

// ---- waits ----

void RedisClinicStore::InsertWait(const WaitRecord& w) {
  std::lock_guard lock(writeMutex_);
  write_.Script(kInsertWait, {},
                {w.waitId, w.visitId, w.clinic, w.name, std::to_string(w.since), w.state, w.attendeeId});
}

std::optional<WaitRecord> RedisClinicStore::FindWait(const std::string& waitId) {
  std::lock_guard lock(readMutex_);
  const auto reply = read_.Command({"HGETALL", Key("w:", waitId)});
  if (reply.elements.empty()) return std::nullopt;
  return ToWait(Fields(reply));
}

std::vector<WaitRecord> RedisClinicStore::ListWaitsOfVisit(const std::string& visitId) {
  std::lock_guard lock(readMutex_);
  std::vector<WaitRecord> out;
  const auto ids = read_.Command({"ZRANGE", Key("vwaits:", visitId), "0", "-1"});
  for (const auto& reply : ReadHashesLocked(Members(ids, "w:"))) out.push_back(ToWait(Fields(reply)));
  return out;
}

std::vector<WaitRecord> RedisClinicStore::ListQueue(const std::string& clinic) {
  std::lock_guard lock(readMutex_);
  std::vector<WaitRecord> out;
  const auto ids = read_.Command({"ZRANGE", Key("queue:", clinic), "0", "-1"});
  for (const auto& reply : ReadHashesLocked(Members(ids, "w:"))) {
    WaitRecord w = ToWait(Fields(reply));
    if (w.visitId.empty() && w.state == "waiting") out.push_back(std::move(w));  // changed meanwhile
  }
  return out;
}

void RedisClinicStore::SetWaitState(const std::string& waitId, const std::string& state,
                                    const std::string& attendeeId) {
  std::lock_guard lock(writeMutex_);
  write_.Script(kSetWaitState, {}, {waitId, state, attendeeId});
}

bool RedisClinicStore::TakeQueuedWait(const std::string& waitId, const VisitRecord& visit) {
  auto args = VisitArgs(visit);
  args.insert(args.begin(), waitId);
  std::lock_guard lock(writeMutex_);
  return write_.Script(kTakeQueuedWait, {}, args).integer == 1;
}

// ---- audit ----

AuditRecord RedisClinicStore::AppendAudit(AuditRecord entry,
                                          const std::function<std::string(const AuditRecord&)>& hashOf) {
  std::lock_guard lock(writeMutex_);
  const auto last = write_.Command({"HMGET", kPrefix + "alast", "seq", "hash"});
  int64_t lastSeq = 0;
  std::string lastHash = kGenesisHash;
  if (last.elements.size() == 2 && !last.elements[0].IsNil()) {
    lastSeq = std::stoll(last.elements[0].text);
    lastHash = last.elements[1].text;
  }
  // Another node may append between the read and the script: the script then answers with the new
  // last entry and the hash is computed again on it.
  for (int attempt = 0; attempt < 1000; ++attempt) {
    entry.seq = lastSeq + 1;
    entry.prevHash = lastHash;
    entry.hash = hashOf(entry);
    const auto reply = write_.Script(
        kAppendAudit, {},
        {std::to_string(entry.seq), std::to_string(entry.time), entry.actor, entry.action, entry.visitId,
         entry.meetingId, entry.target, entry.detail, entry.prevHash, entry.hash, kGenesisHash});
    if (reply.kind == RedisValue::Kind::kInteger && reply.integer == 1) return entry;
    if (reply.elements.size() != 2) throw std::runtime_error("redis: unexpected reply to the audit append");
    lastSeq = reply.elements[0].integer;
    lastHash = reply.elements[1].text;
  }
  throw std::runtime_error("redis: the audit append kept losing the race for the chain's end");
}

void RedisClinicStore::ForEachAudit(int64_t from, int64_t to,
                                    const std::function<void(const AuditRecord&)>& each) {
  std::vector<int64_t> seqs;
  {
    std::lock_guard lock(readMutex_);
    const auto ids = read_.Command({"ZRANGEBYSCORE", kPrefix + "atime", std::to_string(from),
                                    to == 0 ? std::string("+inf") : "(" + std::to_string(to)});
    seqs.reserve(ids.elements.size());
    for (const auto& id : ids.elements) seqs.push_back(std::stoll(id.text));
  }
  std::sort(seqs.begin(), seqs.end());
  // In batches, the callback outside the lock.
  for (size_t begin = 0; begin < seqs.size(); begin += kAuditBatch) {
    std::vector<std::string> keys;
    for (size_t i = begin; i < std::min(seqs.size(), begin + kAuditBatch); ++i)
      keys.push_back(Key("a:", std::to_string(seqs[i])));
    std::vector<AuditRecord> batch;
    {
      std::lock_guard lock(readMutex_);
      for (const auto& reply : ReadHashesLocked(keys)) batch.push_back(ToAudit(Fields(reply)));
    }
    for (const auto& e : batch) each(e);
  }
}

// ---- retention ----

int64_t RedisClinicStore::PurgeBefore(int64_t cutoff) {
  std::lock_guard lock(writeMutex_);
  return write_.Script(kPurge, {}, {std::to_string(cutoff)}).integer;
}

// ---- sessions ----

void RedisClinicStore::InsertSession(const SessionRecord& s) {
  const int64_t leftUs = std::min(s.idleUs, s.maxUs - (s.lastSeenUs - s.createdUs));
  const int64_t ttlMs = std::max<int64_t>(leftUs / 1000, 0) + kSessionTtlSlackMs;
  std::lock_guard lock(writeMutex_);
  write_.Script(kInsertSession, {},
                {s.idHash, s.role, s.userId, s.waitId, s.csrfToken, std::to_string(s.createdUs),
                 std::to_string(s.lastSeenUs), std::to_string(s.idleUs), std::to_string(s.maxUs),
                 std::to_string(ttlMs)});
}

std::optional<SessionRecord> RedisClinicStore::FindSession(const std::string& idHash, int64_t nowUs,
                                                           bool touch) {
  RedisValue reply;
  {
    std::lock_guard lock(writeMutex_);
    reply = write_.Script(kFindSession, {},
                          {idHash, std::to_string(nowUs), touch ? "1" : "0",
                           std::to_string(kSessionTtlSlackMs), std::to_string(kTouchGranularityUs)});
  }
  if (reply.elements.empty()) return std::nullopt;
  return ToSession(Fields(reply));
}

void RedisClinicStore::DeleteSession(const std::string& idHash) {
  std::lock_guard lock(writeMutex_);
  write_.Script(kDeleteSession, {}, {idHash});
}

void RedisClinicStore::DeleteSessionsOf(const std::string& userId) {
  if (userId.empty()) return;
  std::lock_guard lock(writeMutex_);
  write_.Script(kDeleteSessionsOf, {}, {userId});
}

int64_t RedisClinicStore::PurgeSessions(int64_t nowUs) {
  std::lock_guard lock(writeMutex_);
  return write_.Script(kPurgeSessions, {}, {std::to_string(nowUs)}).integer;
}

int64_t RedisClinicStore::CountSessions() {
  std::lock_guard lock(readMutex_);
  return read_.Command({"HLEN", kPrefix + "sessions"}).integer;
}

}  // namespace medicall::store
