#include "signaling/DataMessageValidator.hpp"

namespace medicall::signaling {

bool DataMessageValidator::IsValidTopic(std::string_view topic) {
  if (topic.empty() || topic.size() > kMaxTopicLength) return false;
  for (char c : topic) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::optional<std::string_view> DataMessageValidator::Check(const proto::SdkDataMessagePayload& payload) {
  if (!IsValidTopic(payload.topic())) return "invalid topic";
  if (payload.data().size() > kMaxDataBytes) return "data larger than 2048 bytes";
  if (payload.lifetime_ms() > kMaxLifetimeMs) return "lifetime longer than 5 minutes";
  return std::nullopt;
}

}  // namespace medicall::signaling
