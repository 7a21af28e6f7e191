#include "webrtc/sdp/SdpWriter.hpp"

#include <fmt/format.h>

#include <iterator>

namespace medicall::webrtc::sdp {

namespace {

std::string_view AddressType(std::string_view address) {
  return address.find(':') != std::string_view::npos ? "IP6" : "IP4";
}

void Line(std::string& out, std::string_view text) {
  out += text;
  out += "\r\n";
}

template <typename... Args>
void Linef(std::string& out, fmt::format_string<Args...> f, Args&&... args) {
  fmt::format_to(std::back_inserter(out), f, std::forward<Args>(args)...);
  out += "\r\n";
}

void WriteIceAndDtls(std::string& out, const std::string& ufrag, const std::string& pwd,
                     const std::vector<std::string>& options, const std::optional<Fingerprint>& fp,
                     SetupRole setup) {
  if (!ufrag.empty()) Linef(out, "a=ice-ufrag:{}", ufrag);
  if (!pwd.empty()) Linef(out, "a=ice-pwd:{}", pwd);
  if (!options.empty()) Linef(out, "a=ice-options:{}", fmt::join(options, " "));
  if (fp) Linef(out, "a=fingerprint:{} {}", fp->algorithm, fp->value);
  if (setup != SetupRole::None) Linef(out, "a=setup:{}", SetupRoleName(setup));
}

void WriteCandidate(std::string& out, const Candidate& c) {
  std::string line = fmt::format("a=candidate:{} {} {} {} {} {} typ {}", c.foundation, c.component,
                                 c.transport, c.priority, c.address, c.port, c.type);
  if (!c.relatedAddress.empty()) line += fmt::format(" raddr {} rport {}", c.relatedAddress, c.relatedPort);
  if (!c.tcpType.empty()) line += fmt::format(" tcptype {}", c.tcpType);
  if (c.generation) line += fmt::format(" generation {}", *c.generation);
  Line(out, line);
}

void WriteMedia(std::string& out, const MediaSection& m, const SessionDescription& sd) {
  Linef(out, "m={} {} {} {}", m.media, m.port, m.protocol, fmt::join(m.formats, " "));
  std::string_view address = m.connectionAddress.empty() ? "0.0.0.0" : std::string_view(m.connectionAddress);
  Linef(out, "c=IN {} {}", AddressType(address), address);
  for (const Candidate& c : m.candidates) WriteCandidate(out, c);
  if (m.endOfCandidates) Line(out, "a=end-of-candidates");
  // Session-level values are not repeated per section.
  WriteIceAndDtls(out, m.iceUfrag == sd.iceUfrag ? std::string() : m.iceUfrag,
                  m.icePwd == sd.icePwd ? std::string() : m.icePwd, m.iceOptions,
                  m.fingerprint == sd.fingerprint ? std::nullopt : m.fingerprint,
                  m.setup == sd.setup ? SetupRole::None : m.setup);
  if (!m.mid.empty()) Linef(out, "a=mid:{}", m.mid);
  for (const Extmap& e : m.extmaps) {
    if (e.direction) {
      Linef(out, "a=extmap:{}/{} {}", e.id, DirectionName(*e.direction), e.uri);
    } else {
      Linef(out, "a=extmap:{} {}", e.id, e.uri);
    }
  }
  if (m.extmapAllowMixed) Line(out, "a=extmap-allow-mixed");
  Linef(out, "a={}", DirectionName(m.direction));
  if (!m.msidStream.empty()) {
    Linef(out, "a=msid:{}{}{}", m.msidStream, m.msidTrack.empty() ? "" : " ", m.msidTrack);
  }
  if (m.rtcpMux) Line(out, "a=rtcp-mux");
  if (m.rtcpRsize) Line(out, "a=rtcp-rsize");
  if (m.bundleOnly) Line(out, "a=bundle-only");
  for (const Codec& c : m.codecs) {
    if (c.channels != 0) {
      Linef(out, "a=rtpmap:{} {}/{}/{}", c.payloadType, c.name, c.clockRate, c.channels);
    } else {
      Linef(out, "a=rtpmap:{} {}/{}", c.payloadType, c.name, c.clockRate);
    }
    for (const RtcpFeedback& fb : c.feedback) {
      Linef(out, "a=rtcp-fb:{} {}{}{}", c.payloadType, fb.type, fb.parameter.empty() ? "" : " ",
            fb.parameter);
    }
    if (!c.fmtp.empty()) Linef(out, "a=fmtp:{} {}", c.payloadType, c.fmtp);
  }
  for (const Rid& r : m.rids) {
    Linef(out, "a=rid:{} {}{}{}", r.id, r.send ? "send" : "recv", r.parameters.empty() ? "" : " ",
          r.parameters);
  }
  if (!m.simulcast.empty()) Linef(out, "a=simulcast:{}", m.simulcast);
  for (const SsrcGroup& g : m.ssrcGroups)
    Linef(out, "a=ssrc-group:{} {}", g.semantics, fmt::join(g.ssrcs, " "));
  for (const SsrcInfo& s : m.ssrcs) {
    if (!s.cname.empty()) Linef(out, "a=ssrc:{} cname:{}", s.ssrc, s.cname);
    if (!s.msidStream.empty()) {
      Linef(out, "a=ssrc:{} msid:{}{}{}", s.ssrc, s.msidStream, s.msidTrack.empty() ? "" : " ", s.msidTrack);
    }
  }
}

}  // namespace

std::string SdpWriter::Write(const SessionDescription& sd) {
  std::string out;
  out.reserve(2048 + 2048 * sd.media.size());
  Line(out, "v=0");
  Linef(out, "o={} {} {} IN {} {}", sd.originUsername, sd.sessionId, sd.sessionVersion,
        AddressType(sd.originAddress), sd.originAddress);
  Linef(out, "s={}", sd.sessionName.empty() ? "-" : sd.sessionName);
  Line(out, "t=0 0");
  if (sd.iceLite) Line(out, "a=ice-lite");
  if (!sd.bundleMids.empty()) Linef(out, "a=group:BUNDLE {}", fmt::join(sd.bundleMids, " "));
  if (sd.extmapAllowMixed) Line(out, "a=extmap-allow-mixed");
  if (!sd.msidSemantic.empty()) Linef(out, "a=msid-semantic: {}", sd.msidSemantic);
  WriteIceAndDtls(out, sd.iceUfrag, sd.icePwd, {}, sd.fingerprint, sd.setup);
  for (const MediaSection& m : sd.media) WriteMedia(out, m, sd);
  return out;
}

}  // namespace medicall::webrtc::sdp
