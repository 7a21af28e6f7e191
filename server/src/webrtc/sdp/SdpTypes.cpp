#include "webrtc/sdp/SdpTypes.hpp"

#include "webrtc/sdp/MediaSection.hpp"
#include "webrtc/sdp/SessionDescription.hpp"

namespace medicall::webrtc::sdp {

std::string_view DirectionName(Direction d) {
  switch (d) {
    case Direction::SendRecv:
      return "sendrecv";
    case Direction::SendOnly:
      return "sendonly";
    case Direction::RecvOnly:
      return "recvonly";
    case Direction::Inactive:
      return "inactive";
  }
  return "inactive";
}

std::optional<Direction> ParseDirection(std::string_view s) {
  if (s == "sendrecv") return Direction::SendRecv;
  if (s == "sendonly") return Direction::SendOnly;
  if (s == "recvonly") return Direction::RecvOnly;
  if (s == "inactive") return Direction::Inactive;
  return std::nullopt;
}

std::string_view SetupRoleName(SetupRole r) {
  switch (r) {
    case SetupRole::ActPass:
      return "actpass";
    case SetupRole::Active:
      return "active";
    case SetupRole::Passive:
      return "passive";
    case SetupRole::HoldConn:
      return "holdconn";
    case SetupRole::None:
      break;
  }
  return "";
}

Direction Reverse(Direction d) { return MakeDirection(Receives(d), Sends(d)); }

Direction MakeDirection(bool send, bool receive) {
  if (send && receive) return Direction::SendRecv;
  if (send) return Direction::SendOnly;
  if (receive) return Direction::RecvOnly;
  return Direction::Inactive;
}

std::optional<std::string_view> Codec::FmtpParameter(std::string_view key) const {
  std::string_view rest = fmtp;
  while (!rest.empty()) {
    size_t end = rest.find(';');
    std::string_view item = rest.substr(0, end);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    size_t eq = item.find('=');
    if (eq != std::string_view::npos && item.substr(0, eq) == key) return item.substr(eq + 1);
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
  return std::nullopt;
}

bool Codec::HasFeedback(std::string_view type, std::string_view parameter) const {
  for (const RtcpFeedback& fb : feedback) {
    if (fb.type == type && fb.parameter == parameter) return true;
  }
  return false;
}

const Codec* MediaSection::FindCodec(uint8_t payloadType) const {
  for (const Codec& c : codecs) {
    if (c.payloadType == payloadType) return &c;
  }
  return nullptr;
}

const Codec* MediaSection::FindRtxFor(uint8_t payloadType) const {
  const std::string apt = std::to_string(payloadType);
  for (const Codec& c : codecs) {
    if ((c.name == "rtx" || c.name == "RTX") && c.FmtpParameter("apt") == std::string_view(apt)) return &c;
  }
  return nullptr;
}

const Extmap* MediaSection::FindExtmap(std::string_view uriText) const {
  for (const Extmap& e : extmaps) {
    if (e.uri == uriText) return &e;
  }
  return nullptr;
}

const SsrcGroup* MediaSection::FindSsrcGroup(std::string_view semantics) const {
  for (const SsrcGroup& g : ssrcGroups) {
    if (g.semantics == semantics) return &g;
  }
  return nullptr;
}

const MediaSection* SessionDescription::FindMid(std::string_view mid) const {
  for (const MediaSection& m : media) {
    if (m.mid == mid) return &m;
  }
  return nullptr;
}

bool SessionDescription::IsBundled(std::string_view mid) const {
  for (const std::string& m : bundleMids) {
    if (m == mid) return true;
  }
  return false;
}

}  // namespace medicall::webrtc::sdp
