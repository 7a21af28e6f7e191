#pragma once
// The pieces of an SDP media description used by WebRTC (RFC 8866, RFC 8829 JSEP, RFC 8843 BUNDLE),
// as plain values. Parsed by SdpParser, written by SdpWriter, built by AnswerBuilder/OfferBuilder.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace medicall::webrtc::sdp {

// a=sendrecv / sendonly / recvonly / inactive (RFC 8866 section 6.7), from the writer's point of view.
enum class Direction : uint8_t { SendRecv, SendOnly, RecvOnly, Inactive };
// a=setup (RFC 4145 section 4, RFC 8842).
enum class SetupRole : uint8_t { None, ActPass, Active, Passive, HoldConn };
enum class MediaKind : uint8_t { Audio, Video, Application, Other };

std::string_view DirectionName(Direction d);
std::optional<Direction> ParseDirection(std::string_view s);
std::string_view SetupRoleName(SetupRole r);
constexpr bool Sends(Direction d) { return d == Direction::SendRecv || d == Direction::SendOnly; }
constexpr bool Receives(Direction d) { return d == Direction::SendRecv || d == Direction::RecvOnly; }
// The direction the other side sees: sendonly <-> recvonly.
Direction Reverse(Direction d);
Direction MakeDirection(bool send, bool receive);

// a=rtcp-fb:<pt> <type> [<param>] (RFC 4585 section 4.2), e.g. {"nack", "pli"}, {"transport-cc", ""}.
struct RtcpFeedback {
  std::string type;
  std::string parameter;
  bool operator==(const RtcpFeedback&) const = default;
};

// a=rtpmap + a=fmtp + a=rtcp-fb of one payload type.
struct Codec {
  uint8_t payloadType = 0;
  std::string name;  // as written, e.g. "opus", "VP8", "rtx"
  uint32_t clockRate = 0;
  uint8_t channels = 0;  // 0 when absent
  std::string fmtp;      // the parameter string after "a=fmtp:<pt> ", verbatim
  std::vector<RtcpFeedback> feedback;
  bool operator==(const Codec&) const = default;

  // Value of `key` in fmtp "k=v;k2=v2" (nullopt if absent).
  std::optional<std::string_view> FmtpParameter(std::string_view key) const;
  bool HasFeedback(std::string_view type, std::string_view parameter = {}) const;
};

// a=extmap:<id>[/<direction>] <uri> (RFC 8285 section 8).
struct Extmap {
  uint16_t id = 0;  // 1..14 one-byte, 1..255 two-byte header
  std::string uri;
  std::optional<Direction> direction;
  bool operator==(const Extmap&) const = default;
};

// a=candidate (RFC 8839 section 5.1).
struct Candidate {
  std::string foundation;
  uint16_t component = 1;
  std::string transport;  // "udp" / "tcp" as written
  uint32_t priority = 0;
  std::string address;
  uint16_t port = 0;
  std::string type;  // host / srflx / prflx / relay
  std::string relatedAddress;
  uint16_t relatedPort = 0;
  std::string tcpType;
  std::optional<uint32_t> generation;
  bool operator==(const Candidate&) const = default;
};

// a=ssrc:<ssrc> cname:... / msid:... (RFC 5576).
struct SsrcInfo {
  uint32_t ssrc = 0;
  std::string cname;
  std::string msidStream;
  std::string msidTrack;
  bool operator==(const SsrcInfo&) const = default;
};

// a=ssrc-group:<semantics> <ssrc>... (RFC 5576 section 4.2), e.g. FID primary rtx.
struct SsrcGroup {
  std::string semantics;
  std::vector<uint32_t> ssrcs;
  bool operator==(const SsrcGroup&) const = default;
};

// a=rid:<id> send|recv [params] (RFC 8851).
struct Rid {
  std::string id;
  bool send = true;
  std::string parameters;
  bool operator==(const Rid&) const = default;
};

// a=fingerprint:<algorithm> <value> (RFC 8122 section 5).
struct Fingerprint {
  std::string algorithm;  // lower case, e.g. "sha-256"
  std::string value;      // as written
  bool operator==(const Fingerprint&) const = default;
};

// Header-extension URIs we understand (RFC 8285 registry and WebRTC drafts).
namespace uri {
inline constexpr std::string_view kMid = "urn:ietf:params:rtp-hdrext:sdes:mid";
inline constexpr std::string_view kAbsSendTime = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
inline constexpr std::string_view kTransportWideCc =
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
inline constexpr std::string_view kAudioLevel = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
inline constexpr std::string_view kRtpStreamId = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
inline constexpr std::string_view kRepairedRtpStreamId =
    "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";
inline constexpr std::string_view kVideoOrientation = "urn:3gpp:video-orientation";
}  // namespace uri

}  // namespace medicall::webrtc::sdp
