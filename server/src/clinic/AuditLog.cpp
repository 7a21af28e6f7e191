#include "clinic/AuditLog.hpp"

#include "common/Digest.hpp"
#include "common/HttpTypes.hpp"

namespace medicall::clinic {

AuditLog::AuditLog(store::ClinicStore& store, const Clock& clock) : store_(store), clock_(clock) {}

store::AuditRecord AuditLog::Append(const std::string& actor, const std::string& action,
                                    const std::string& visitId, const std::string& meetingId,
                                    const std::string& target, const std::string& detail) {
  store::AuditRecord entry;
  entry.time = clock_.WallNowUs() / 1000;
  entry.actor = actor;
  entry.action = action;
  entry.visitId = visitId;
  entry.meetingId = meetingId;
  entry.target = target;
  entry.detail = detail;
  return store_.AppendAudit(std::move(entry), HashOf);
}

std::string AuditLog::Canonical(const store::AuditRecord& e) {
  const nlohmann::json j =
      nlohmann::json::array({e.seq, e.time, e.actor, e.action, e.visitId, e.meetingId, e.target, e.detail});
  return DumpJson(j);
}

std::string AuditLog::HashOf(const store::AuditRecord& e) {
  return digest::Sha256Hex(e.prevHash + Canonical(e));
}

nlohmann::json AuditLog::ToJson(const store::AuditRecord& e) {
  return {{"seq", e.seq},       {"time", e.time},       {"actor", e.actor},
          {"action", e.action}, {"visitId", e.visitId}, {"meetingId", e.meetingId},
          {"target", e.target}, {"detail", e.detail},   {"prevHash", e.prevHash},
          {"hash", e.hash}};
}

AuditLog::Verification AuditLog::Verify(store::ClinicStore& store) {
  Verification v;
  std::string prev(64, '0');
  int64_t expectedSeq = 1;
  store.ForEachAudit(0, 0, [&](const store::AuditRecord& e) {
    if (!v.ok) return;
    ++v.entries;
    auto fail = [&](std::string why) {
      v.ok = false;
      v.brokenSeq = e.seq;
      v.reason = std::move(why);
    };
    if (e.seq != expectedSeq) return fail("sequence gap: expected " + std::to_string(expectedSeq));
    if (e.prevHash != prev) return fail("prevHash does not match the previous entry's hash");
    if (e.hash != HashOf(e)) return fail("hash does not match the entry's contents");
    prev = e.hash;
    ++expectedSeq;
  });
  return v;
}

}  // namespace medicall::clinic
