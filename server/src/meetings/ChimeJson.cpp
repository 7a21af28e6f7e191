#include "meetings/ChimeJson.hpp"

#include <cctype>

namespace medicall::meetings {

namespace {
bool IsPlainHost(const std::string& host) {
  if (host.empty() || host.size() > 255) return false;
  for (unsigned char c : host)
    if (!(std::isalnum(c) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']' || c == '_'))
      return false;
  return true;
}

// Stored raw JSON, or null when absent or (which cannot happen for what we stored) unparsable.
nlohmann::json ParseStored(const std::string& text) {
  if (text.empty()) return nullptr;
  auto j = nlohmann::json::parse(text, nullptr, false);
  return j.is_discarded() ? nlohmann::json(nullptr) : j;
}
}  // namespace

std::string ChimeJson::ResolveHost(const HttpRequest& request, const Config& config) {
  if (!config.publicUrl.empty()) return config.PublicUrlAuthority();
  if (!config.publicHost.empty()) return config.publicHost;
  if (const std::string* host = request.Header("host"); host && IsPlainHost(*host)) return *host;
  return config.PrimaryMediaAddress() + ":" + std::to_string(config.port);
}

nlohmann::json ChimeJson::MediaPlacement(const std::string& id, const std::string& host,
                                         const Config& config) {
  // wss/https when we terminate TLS, or behind a TLS-terminating proxy (MEDICALL_PUBLIC_URL https://...).
  const bool secure = config.TlsEnabled() || config.PublicUrlScheme() == "https";
  const std::string ws = (secure ? "wss://" : "ws://") + host;
  const std::string http = (secure ? "https://" : "http://") + host;
  return {
      {"AudioHostUrl", config.PrimaryMediaAddress() + ":" + std::to_string(config.mediaPort)},
      {"AudioFallbackUrl", ws + "/calls/" + id},
      {"SignalingUrl", ws + "/control/" + id},
      {"TurnControlUrl", http + "/v2/turn_sessions"},
      {"ScreenDataUrl", ws + "/v2/screen/" + id},
      {"ScreenViewingUrl", ws + "/ws/connect?passcode=null&viewer_uuid=null&X-BitHub-Call-Id=" + id},
      {"ScreenSharingUrl", ws + "/v2/screen/" + id},
      {"EventIngestionUrl", http + "/events"},
  };
}

nlohmann::json ChimeJson::Meeting(const MeetingRecord& m, const std::string& host, const Config& config) {
  nlohmann::json j = {
      {"MeetingId", m.meetingId},
      {"ExternalMeetingId", m.externalMeetingId},
      {"MediaRegion", m.mediaRegion},
      {"MediaPlacement", MediaPlacement(m.meetingId, host, config)},
      {"MeetingArn", "arn:aws:chime:" + config.awsRegion + ":000000000000:meeting/" + m.meetingId},
  };
  if (!m.meetingHostId.empty()) j["MeetingHostId"] = m.meetingHostId;
  if (!m.primaryMeetingId.empty()) j["PrimaryMeetingId"] = m.primaryMeetingId;
  if (auto features = ParseStored(m.featuresJson); !features.is_null()) j["MeetingFeatures"] = features;
  if (auto tenants = ParseStored(m.tenantIdsJson); !tenants.is_null()) j["TenantIds"] = tenants;
  return j;
}

nlohmann::json ChimeJson::Attendee(const AttendeeRecord& a) {
  nlohmann::json j = {
      {"ExternalUserId", a.externalUserId},
      {"AttendeeId", a.attendeeId},
      {"Capabilities", {{"Audio", a.audio}, {"Video", a.video}, {"Content", a.content}}},
  };
  // The store keeps only the token's SHA-256: the token itself is known (and sent) once, at creation.
  if (!a.joinToken.empty()) j["JoinToken"] = a.joinToken;
  return j;
}

nlohmann::json ChimeJson::Error(const AttendeeError& e) {
  return {{"ExternalUserId", e.externalUserId}, {"ErrorCode", e.errorCode}, {"ErrorMessage", e.errorMessage}};
}

}  // namespace medicall::meetings
