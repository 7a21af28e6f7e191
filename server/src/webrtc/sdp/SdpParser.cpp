#include "webrtc/sdp/SdpParser.hpp"

#include <algorithm>
#include <charconv>
#include <limits>

#include "common/Logger.hpp"

namespace medicall::webrtc::sdp {

namespace {

// Splits on single spaces; empty tokens (double spaces) are skipped.
std::vector<std::string_view> Split(std::string_view s, char sep = ' ', size_t maxTokens = 64) {
  std::vector<std::string_view> out;
  while (!s.empty() && out.size() <= maxTokens) {
    size_t pos = s.find(sep);
    std::string_view tok = s.substr(0, pos);
    if (!tok.empty()) out.push_back(tok);
    if (pos == std::string_view::npos) break;
    s.remove_prefix(pos + 1);
  }
  return out;
}

template <typename T>
bool ParseUint(std::string_view s, T& out, uint64_t max = std::numeric_limits<T>::max()) {
  if (s.empty() || s.size() > 20) return false;
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v > max) return false;
  out = static_cast<T>(v);
  return true;
}

bool IsToken(std::string_view s) {
  if (s.empty() || s.size() > SdpParser::kMaxTokenLength) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

bool IsDigits(std::string_view s) {
  return !s.empty() && s.size() <= 32 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

MediaKind KindOf(std::string_view media) {
  if (media == "audio") return MediaKind::Audio;
  if (media == "video") return MediaKind::Video;
  if (media == "application") return MediaKind::Application;
  return MediaKind::Other;
}

// Static payload types Chromium may list without an rtpmap (RFC 3551 section 6).
bool StaticCodec(uint8_t pt, Codec& c) {
  switch (pt) {
    case 0:
      c.name = "PCMU";
      c.clockRate = 8000;
      return true;
    case 8:
      c.name = "PCMA";
      c.clockRate = 8000;
      return true;
    case 9:
      c.name = "G722";
      c.clockRate = 8000;
      return true;
    case 13:
      c.name = "CN";
      c.clockRate = 8000;
      return true;
    default:
      return false;
  }
}

class Parser {
 public:
  std::optional<SessionDescription> Run(std::string_view text, std::string* error);

 private:
  bool Line(char type, std::string_view value);
  bool Attribute(std::string_view name, std::string_view value);
  bool SessionAttribute(std::string_view name, std::string_view value);
  bool MediaAttribute(MediaSection& m, std::string_view name, std::string_view value);
  bool MediaLine(std::string_view value);
  bool Origin(std::string_view value);
  bool Connection(std::string_view value, std::string& address);
  bool FinishSection();
  Codec* CodecFor(MediaSection& m, std::string_view ptText);
  bool Fail(std::string why) {
    error_ = std::move(why);
    return false;
  }

  SessionDescription sd_;
  MediaSection* current_ = nullptr;
  std::optional<Direction> sessionDirection_;  // a=sendrecv etc. at session level (Firefox writes one)
  std::vector<bool> ownDirection_;             // per section: it carries its own direction attribute
  std::vector<Codec> pending_;                 // codecs of the current section, by payload type
  std::vector<std::pair<std::string, RtcpFeedback>> wildcardFeedback_;  // a=rtcp-fb:* ...
  std::string error_;
  bool sawVersion_ = false;
  bool sawOrigin_ = false;
};

std::optional<SessionDescription> Parser::Run(std::string_view text, std::string* error) {
  auto fail = [&](std::string why, size_t lineNo) -> std::optional<SessionDescription> {
    if (error != nullptr) *error = lineNo ? "line " + std::to_string(lineNo) + ": " + why : why;
    log::Debug("sdp", "rejected: {} (line {})", why, lineNo);
    return std::nullopt;
  };
  if (text.size() > SdpParser::kMaxTextLength) return fail("SDP too large", 0);
  size_t lineNo = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++lineNo;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (line.size() > SdpParser::kMaxLineLength) return fail("line too long", lineNo);
    if (line.size() < 2 || line[1] != '=') return fail("not a <type>=<value> line", lineNo);
    if (!sawVersion_ && line[0] != 'v') return fail("SDP must start with v=", lineNo);
    if (!Line(line[0], line.substr(2))) return fail(error_, lineNo);
  }
  if (!sawVersion_ || !sawOrigin_) return fail("missing v= or o=", 0);
  if (!FinishSection()) return fail(error_, lineNo);
  // Session-level ICE and DTLS parameters and direction (RFC 8866 section 6.7) apply to sections
  // that do not override them.
  for (size_t i = 0; i < sd_.media.size(); ++i) {
    MediaSection& m = sd_.media[i];
    if (m.iceUfrag.empty()) m.iceUfrag = sd_.iceUfrag;
    if (m.icePwd.empty()) m.icePwd = sd_.icePwd;
    if (!m.fingerprint) m.fingerprint = sd_.fingerprint;
    if (m.setup == SetupRole::None) m.setup = sd_.setup;
    if (!ownDirection_[i] && sessionDirection_) m.direction = *sessionDirection_;
    // a=bundle-only means something only on a port-0 section inside the BUNDLE group (RFC 8843
    // section 6); anywhere else the section is what its port says.
    if (m.bundleOnly && (m.port != 0 || m.mid.empty() || !sd_.IsBundled(m.mid))) m.bundleOnly = false;
  }
  return std::move(sd_);
}

bool Parser::Line(char type, std::string_view value) {
  switch (type) {
    case 'v':
      if (sawVersion_ || value != "0") return Fail("bad or repeated v=");
      sawVersion_ = true;
      return true;
    case 'o':
      if (sawOrigin_ || current_ != nullptr) return Fail("misplaced o=");
      sawOrigin_ = true;
      return Origin(value);
    case 's':
      if (current_ == nullptr) sd_.sessionName = std::string(value.substr(0, SdpParser::kMaxTokenLength));
      return true;
    case 'c': {
      std::string sessionLevel;  // the session-level c= is validated but not kept
      return Connection(value, current_ != nullptr ? current_->connectionAddress : sessionLevel);
    }
    case 'm':
      return MediaLine(value);
    case 'a': {
      size_t colon = value.find(':');
      std::string_view name = value.substr(0, colon);
      std::string_view rest = colon == std::string_view::npos ? std::string_view() : value.substr(colon + 1);
      return Attribute(name, rest);
    }
    case 't':
    case 'b':
    case 'i':
    case 'u':
    case 'e':
    case 'p':
    case 'r':
    case 'z':
    case 'k':
      return true;  // timing, bandwidth and informational lines carry nothing we use
    default:
      return Fail(std::string("unknown line type ") + type);
  }
}

bool Parser::Origin(std::string_view value) {
  auto t = Split(value);
  if (t.size() != 6 || !IsToken(t[0]) || !IsDigits(t[1]) || !IsDigits(t[2]) || t[3] != "IN" ||
      (t[4] != "IP4" && t[4] != "IP6") || !IsToken(t[5])) {
    return Fail("bad o=");
  }
  sd_.originUsername = std::string(t[0]);
  sd_.sessionId = std::string(t[1]);
  sd_.sessionVersion = std::string(t[2]);
  sd_.originAddress = std::string(t[5]);
  return true;
}

bool Parser::Connection(std::string_view value, std::string& address) {
  auto t = Split(value);
  if (t.size() != 3 || t[0] != "IN" || (t[1] != "IP4" && t[1] != "IP6") || !IsToken(t[2])) {
    return Fail("bad c=");
  }
  address = std::string(t[2]);
  return true;
}

bool Parser::MediaLine(std::string_view value) {
  if (!FinishSection()) return false;
  if (sd_.media.size() >= SdpParser::kMaxMediaSections) return Fail("too many m= sections");
  auto t = Split(value, ' ', SdpParser::kMaxCodecs + 4);
  if (t.size() < 4 || !IsToken(t[0]) || !IsToken(t[2])) return Fail("bad m=");
  if (t.size() > SdpParser::kMaxCodecs + 3) return Fail("too many formats");
  MediaSection m;
  m.media = std::string(t[0]);
  m.kind = KindOf(t[0]);
  std::string_view port = t[1].substr(0, t[1].find('/'));
  if (!ParseUint(port, m.port)) return Fail("bad m= port");
  m.protocol = std::string(t[2]);
  for (size_t i = 3; i < t.size(); ++i) {
    if (!IsToken(t[i])) return Fail("bad m= format");
    m.formats.emplace_back(t[i]);
  }
  sd_.media.push_back(std::move(m));
  ownDirection_.push_back(false);
  current_ = &sd_.media.back();
  return true;
}

// Orders the collected codecs by the m= line and drops payload types that are not listed there.
bool Parser::FinishSection() {
  if (current_ == nullptr) return true;
  MediaSection& m = *current_;
  for (const auto& [pt, fb] : wildcardFeedback_) {
    (void)pt;
    for (Codec& c : pending_) {
      if (c.feedback.size() < SdpParser::kMaxFeedbackPerCodec && !c.HasFeedback(fb.type, fb.parameter)) {
        c.feedback.push_back(fb);
      }
    }
  }
  for (const std::string& f : m.formats) {
    uint8_t pt = 0;
    if (!ParseUint(f, pt, 127)) continue;  // e.g. webrtc-datachannel
    auto it =
        std::find_if(pending_.begin(), pending_.end(), [&](const Codec& c) { return c.payloadType == pt; });
    if (it == pending_.end()) {
      Codec c;
      c.payloadType = pt;
      if (StaticCodec(pt, c)) m.codecs.push_back(std::move(c));
      continue;
    }
    if (it->name.empty() && !StaticCodec(pt, *it)) continue;  // fmtp without rtpmap
    m.codecs.push_back(std::move(*it));
  }
  pending_.clear();
  wildcardFeedback_.clear();
  return true;
}

Codec* Parser::CodecFor(MediaSection& m, std::string_view ptText) {
  uint8_t pt = 0;
  if (!ParseUint(ptText, pt, 127)) return nullptr;
  for (Codec& c : pending_) {
    if (c.payloadType == pt) return &c;
  }
  if (pending_.size() >= SdpParser::kMaxCodecs) return nullptr;
  pending_.push_back(Codec{});
  pending_.back().payloadType = pt;
  return &pending_.back();
}

bool Parser::Attribute(std::string_view name, std::string_view value) {
  if (current_ == nullptr) return SessionAttribute(name, value);
  return MediaAttribute(*current_, name, value);
}

bool ParseFingerprint(std::string_view value, std::optional<Fingerprint>& out) {
  auto t = Split(value);
  if (t.size() != 2 || !IsToken(t[0]) || !IsToken(t[1])) return false;
  Fingerprint f;
  f.algorithm = std::string(t[0]);
  std::transform(f.algorithm.begin(), f.algorithm.end(), f.algorithm.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  f.value = std::string(t[1]);
  out = std::move(f);
  return true;
}

bool ParseSetup(std::string_view value, SetupRole& out) {
  if (value == "actpass")
    out = SetupRole::ActPass;
  else if (value == "active")
    out = SetupRole::Active;
  else if (value == "passive")
    out = SetupRole::Passive;
  else if (value == "holdconn")
    out = SetupRole::HoldConn;
  else
    return false;
  return true;
}

bool ParseIceOptions(std::string_view value, std::vector<std::string>& out) {
  auto t = Split(value, ' ', 8);
  if (t.size() > 8) return false;
  out.assign(t.begin(), t.end());
  return true;
}

bool Parser::SessionAttribute(std::string_view name, std::string_view value) {
  if (name == "group") {
    auto t = Split(value, ' ', SdpParser::kMaxMediaSections + 1);
    if (t.empty() || t.size() > SdpParser::kMaxMediaSections + 1) return Fail("bad a=group");
    if (t[0] == "BUNDLE" && sd_.bundleMids.empty()) {
      for (size_t i = 1; i < t.size(); ++i) {
        if (!IsToken(t[i])) return Fail("bad a=group mid");
        sd_.bundleMids.emplace_back(t[i]);
      }
    }
    return true;
  }
  if (auto d = ParseDirection(name)) {
    sessionDirection_ = *d;
    return true;
  }
  if (name == "ice-lite") return sd_.iceLite = true;
  if (name == "extmap-allow-mixed") return sd_.extmapAllowMixed = true;
  if (name == "msid-semantic") {
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    sd_.msidSemantic = std::string(value.substr(0, SdpParser::kMaxTokenLength));
    return true;
  }
  if (name == "ice-ufrag")
    return IsToken(value) ? (sd_.iceUfrag = std::string(value), true) : Fail("bad ice-ufrag");
  if (name == "ice-pwd")
    return IsToken(value) ? (sd_.icePwd = std::string(value), true) : Fail("bad ice-pwd");
  if (name == "fingerprint") return ParseFingerprint(value, sd_.fingerprint) || Fail("bad fingerprint");
  if (name == "setup") return ParseSetup(value, sd_.setup) || Fail("bad setup");
  return true;  // ice-options and others at session level: not needed
}

bool ParseCandidate(std::string_view value, Candidate& c) {
  auto t = Split(value, ' ', 32);
  if (t.size() < 8 || t.size() > 32 || t[6] != "typ") return false;
  if (!IsToken(t[0]) || !ParseUint(t[1], c.component, 256) || c.component == 0 || !IsToken(t[2]) ||
      !ParseUint(t[3], c.priority) || !IsToken(t[4]) || !ParseUint(t[5], c.port) || !IsToken(t[7])) {
    return false;
  }
  c.foundation = std::string(t[0]);
  c.transport = std::string(t[2]);
  c.address = std::string(t[4]);
  c.type = std::string(t[7]);
  for (size_t i = 8; i + 1 < t.size(); i += 2) {
    std::string_view key = t[i];
    std::string_view val = t[i + 1];
    if (key == "raddr") {
      if (!IsToken(val)) return false;
      c.relatedAddress = std::string(val);
    } else if (key == "rport") {
      if (!ParseUint(val, c.relatedPort)) return false;
    } else if (key == "tcptype") {
      if (!IsToken(val)) return false;
      c.tcpType = std::string(val);
    } else if (key == "generation") {
      uint32_t g = 0;
      if (!ParseUint(val, g)) return false;
      c.generation = g;
    }
  }
  return true;
}

bool Parser::MediaAttribute(MediaSection& m, std::string_view name, std::string_view value) {
  if (auto d = ParseDirection(name)) {
    m.direction = *d;
    ownDirection_.back() = true;
    return true;
  }
  if (name == "extmap-allow-mixed") return m.extmapAllowMixed = true;
  if (name == "mid") return IsToken(value) ? (m.mid = std::string(value), true) : Fail("bad mid");
  if (name == "rtcp-mux") return m.rtcpMux = true;
  if (name == "rtcp-rsize") return m.rtcpRsize = true;
  if (name == "bundle-only") return m.bundleOnly = true;
  if (name == "end-of-candidates") return m.endOfCandidates = true;
  if (name == "ice-ufrag")
    return IsToken(value) ? (m.iceUfrag = std::string(value), true) : Fail("bad ice-ufrag");
  if (name == "ice-pwd") return IsToken(value) ? (m.icePwd = std::string(value), true) : Fail("bad ice-pwd");
  if (name == "ice-options") return ParseIceOptions(value, m.iceOptions) || Fail("bad ice-options");
  if (name == "fingerprint") return ParseFingerprint(value, m.fingerprint) || Fail("bad fingerprint");
  if (name == "setup") return ParseSetup(value, m.setup) || Fail("bad setup");
  if (name == "msid") {
    auto t = Split(value, ' ', 2);
    if (t.empty() || t.size() > 2 || !IsToken(t[0]) || (t.size() == 2 && !IsToken(t[1])))
      return Fail("bad msid");
    m.msidStream = std::string(t[0]);
    m.msidTrack = t.size() == 2 ? std::string(t[1]) : std::string();
    return true;
  }
  if (name == "rtpmap") {
    auto t = Split(value, ' ', 2);
    if (t.size() != 2) return Fail("bad rtpmap");
    auto parts = Split(t[1], '/', 3);
    Codec* c = CodecFor(m, t[0]);
    if (c == nullptr || parts.size() < 2 || parts.size() > 3 || !IsToken(parts[0]) ||
        !ParseUint(parts[1], c->clockRate) || c->clockRate == 0) {
      return Fail("bad rtpmap");
    }
    c->name = std::string(parts[0]);
    if (parts.size() == 3 && (!ParseUint(parts[2], c->channels, 8) || c->channels == 0))
      return Fail("bad rtpmap");
    return true;
  }
  if (name == "fmtp") {
    size_t sp = value.find(' ');
    if (sp == std::string_view::npos) return Fail("bad fmtp");
    Codec* c = CodecFor(m, value.substr(0, sp));
    if (c == nullptr) return Fail("bad fmtp");
    c->fmtp = std::string(value.substr(sp + 1, SdpParser::kMaxTokenLength * 4));
    return true;
  }
  if (name == "rtcp-fb") {
    auto t = Split(value, ' ', 3);
    if (t.size() < 2 || t.size() > 3 || !IsToken(t[1]) || (t.size() == 3 && !IsToken(t[2]))) {
      return Fail("bad rtcp-fb");
    }
    RtcpFeedback fb{std::string(t[1]), t.size() == 3 ? std::string(t[2]) : std::string()};
    if (t[0] == "*") {
      if (wildcardFeedback_.size() < SdpParser::kMaxFeedbackPerCodec) wildcardFeedback_.emplace_back("*", fb);
      return true;
    }
    Codec* c = CodecFor(m, t[0]);
    if (c == nullptr || c->feedback.size() >= SdpParser::kMaxFeedbackPerCodec) return Fail("bad rtcp-fb");
    c->feedback.push_back(std::move(fb));
    return true;
  }
  if (name == "extmap") {
    auto t = Split(value, ' ', 3);
    if (t.size() < 2 || m.extmaps.size() >= SdpParser::kMaxExtmaps || !IsToken(t[1]))
      return Fail("bad extmap");
    Extmap e;
    std::string_view idText = t[0];
    size_t slash = idText.find('/');
    if (slash != std::string_view::npos) {
      e.direction = ParseDirection(idText.substr(slash + 1));
      if (!e.direction) return Fail("bad extmap direction");
      idText = idText.substr(0, slash);
    }
    if (!ParseUint(idText, e.id, 255) || e.id == 0) return Fail("bad extmap id");
    for (const Extmap& other : m.extmaps) {
      if (other.id == e.id) return Fail("duplicate extmap id");
    }
    e.uri = std::string(t[1]);
    m.extmaps.push_back(std::move(e));
    return true;
  }
  if (name == "ssrc") {
    size_t sp = value.find(' ');
    uint32_t ssrc = 0;
    if (sp == std::string_view::npos || !ParseUint(value.substr(0, sp), ssrc)) return Fail("bad ssrc");
    auto it = std::find_if(m.ssrcs.begin(), m.ssrcs.end(), [&](const SsrcInfo& s) { return s.ssrc == ssrc; });
    if (it == m.ssrcs.end()) {
      if (m.ssrcs.size() >= SdpParser::kMaxSsrcs) return Fail("too many ssrcs");
      m.ssrcs.push_back(SsrcInfo{ssrc, {}, {}, {}});
      it = m.ssrcs.end() - 1;
    }
    std::string_view attr = value.substr(sp + 1);
    size_t colon = attr.find(':');
    std::string_view attrName = attr.substr(0, colon);
    std::string_view attrValue =
        colon == std::string_view::npos ? std::string_view() : attr.substr(colon + 1);
    if (attrName == "cname") {
      if (!IsToken(attrValue)) return Fail("bad ssrc cname");
      it->cname = std::string(attrValue);
    } else if (attrName == "msid") {
      auto t = Split(attrValue, ' ', 2);
      if (t.empty() || t.size() > 2 || !IsToken(t[0])) return Fail("bad ssrc msid");
      it->msidStream = std::string(t[0]);
      it->msidTrack = t.size() == 2 ? std::string(t[1]) : std::string();
    }
    return true;
  }
  if (name == "ssrc-group") {
    auto t = Split(value, ' ', SdpParser::kMaxSsrcsPerGroup + 1);
    if (t.size() < 2 || t.size() > SdpParser::kMaxSsrcsPerGroup + 1 || !IsToken(t[0]) ||
        m.ssrcGroups.size() >= SdpParser::kMaxSsrcGroups) {
      return Fail("bad ssrc-group");
    }
    SsrcGroup g;
    g.semantics = std::string(t[0]);
    for (size_t i = 1; i < t.size(); ++i) {
      uint32_t s = 0;
      if (!ParseUint(t[i], s)) return Fail("bad ssrc-group ssrc");
      g.ssrcs.push_back(s);
    }
    m.ssrcGroups.push_back(std::move(g));
    return true;
  }
  if (name == "rid") {
    auto t = Split(value, ' ', 3);
    if (t.size() < 2 || t.size() > 3 || !IsToken(t[0]) || (t[1] != "send" && t[1] != "recv") ||
        m.rids.size() >= SdpParser::kMaxRids) {
      return Fail("bad rid");
    }
    m.rids.push_back(
        Rid{std::string(t[0]), t[1] == "send", t.size() == 3 ? std::string(t[2]) : std::string()});
    return true;
  }
  if (name == "simulcast") {
    if (value.empty() || value.size() > SdpParser::kMaxTokenLength) return Fail("bad simulcast");
    m.simulcast = std::string(value);
    return true;
  }
  if (name == "candidate") {
    Candidate c;
    if (m.candidates.size() >= SdpParser::kMaxCandidates || !ParseCandidate(value, c))
      return Fail("bad candidate");
    m.candidates.push_back(std::move(c));
    return true;
  }
  return true;  // rtcp, rtcp-xr, ptime, ... : not needed
}

}  // namespace

std::optional<SessionDescription> SdpParser::Parse(std::string_view text, std::string* error) {
  Parser parser;
  return parser.Run(text, error);
}

}  // namespace medicall::webrtc::sdp
