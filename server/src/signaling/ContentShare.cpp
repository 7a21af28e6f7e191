#include "signaling/ContentShare.hpp"

namespace medicall::signaling {

std::optional<std::string_view> ContentShare::BaseOf(std::string_view idOrToken) {
  if (!idOrToken.ends_with(kModality)) return std::nullopt;
  const std::string_view base = idOrToken.substr(0, idOrToken.size() - kModality.size());
  if (base.empty() || base.find('#') != std::string_view::npos) return std::nullopt;
  return base;
}

std::string ContentShare::ContentIdOf(std::string_view baseAttendeeId) {
  std::string id(baseAttendeeId);
  id += kModality;
  return id;
}

bool ContentShare::MayShare(std::string_view contentCapability) {
  return contentCapability.empty() || contentCapability == "SendReceive" || contentCapability == "Send";
}

bool ContentShare::HasSlot(std::string_view contentId, const std::vector<std::string>& joined) {
  size_t others = 0;
  for (const auto& id : joined) {
    if (id != contentId && IsContent(id)) ++others;
  }
  return others < kMaxConcurrentShares;
}

}  // namespace medicall::signaling
