#pragma once
// The tamper-evident audit trail: every entry is chained to the one before,
//   hash = SHA-256(prevHash || canonical entry)
// where prevHash is the previous entry's hash (64 zeros for the first) as hex text and the canonical
// entry is the JSON array [seq, time, actor, action, visitId, meetingId, target, detail]. Altering,
// removing or reordering a stored row breaks the chain at that row; Verify names the first.
// Free text (detail) carries ids and counts only: never a patient's or clinician's name.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/Clock.hpp"
#include "store/ClinicStore.hpp"

namespace medicall::clinic {

class AuditLog {
 public:
  AuditLog(store::ClinicStore& store, const Clock& clock);

  store::AuditRecord Append(const std::string& actor, const std::string& action,
                            const std::string& visitId = "", const std::string& meetingId = "",
                            const std::string& target = "", const std::string& detail = "");

  static std::string Canonical(const store::AuditRecord& entry);
  static std::string HashOf(const store::AuditRecord& entry);
  static nlohmann::json ToJson(const store::AuditRecord& entry);

  struct Verification {
    bool ok = true;
    int64_t entries = 0;    // entries checked
    int64_t brokenSeq = 0;  // the first broken entry (ok = false)
    std::string reason;
  };
  // Checks the whole chain from the first entry.
  static Verification Verify(store::ClinicStore& store);

 private:
  store::ClinicStore& store_;
  const Clock& clock_;
};

}  // namespace medicall::clinic
