#include <algorithm>

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

std::vector<std::string> MediaSection::SimulcastSendRids() const {
  std::vector<std::string> out;
  std::string_view v = simulcast;
  // "send <list> [recv <list>]" or "recv <list> send <list>": find the list after "send".
  for (size_t pos = 0; pos < v.size();) {
    const size_t space = v.find(' ', pos);
    const std::string_view word = v.substr(pos, space == std::string_view::npos ? v.npos : space - pos);
    if (space == std::string_view::npos) break;
    const size_t listEnd = v.find(' ', space + 1);
    const std::string_view list = v.substr(space + 1, listEnd == v.npos ? v.npos : listEnd - space - 1);
    if (word == "send") {
      for (size_t i = 0; i <= list.size();) {
        size_t end = list.find(';', i);
        if (end == list.npos) end = list.size();
        std::string_view alt = list.substr(i, end - i);
        alt = alt.substr(0, alt.find(','));
        if (!alt.empty() && alt.front() == '~') alt.remove_prefix(1);
        const bool declared =
            std::any_of(rids.begin(), rids.end(), [&](const Rid& r) { return r.send && r.id == alt; });
        if (!alt.empty() && declared && std::find(out.begin(), out.end(), std::string(alt)) == out.end())
          out.emplace_back(alt);
        i = end + 1;
      }
      break;
    }
    if (listEnd == v.npos) break;
    pos = listEnd + 1;
  }
  return out;
}

const MediaSection* SessionDescription::FindMid(std::string_view mid) const {
  for (const MediaSection& m : media) {
    if (m.mid == mid) return &m;
  }
  return nullptr;
}

const MediaSection* SessionDescription::TransportSection() const {
  for (const MediaSection& m : media) {
    if (!m.Rejected() && !m.candidates.empty() && m.fingerprint) return &m;
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
