#pragma once
// Parses SDP text (RFC 8866) as browsers write it for unified-plan WebRTC (Chromium's and Firefox's
// captured offers in server/test/data/sdp/; Safari writes libwebrtc's format) into a SessionDescription.
// Never throws. Rejects malformed lines of the attributes it understands, unknown line types and
// inputs beyond the bounds below (an error, not a silent truncation); ignores unknown attributes.
#include <optional>
#include <string>
#include <string_view>

#include "webrtc/sdp/SessionDescription.hpp"

namespace medicall::webrtc::sdp {

class SdpParser {
 public:
  static constexpr size_t kMaxTextLength = 256 * 1024;
  static constexpr size_t kMaxLineLength = 4096;
  static constexpr size_t kMaxMediaSections = 64;
  static constexpr size_t kMaxCodecs = 128;
  static constexpr size_t kMaxFeedbackPerCodec = 16;
  static constexpr size_t kMaxExtmaps = 32;
  static constexpr size_t kMaxSsrcs = 64;
  static constexpr size_t kMaxSsrcGroups = 32;
  static constexpr size_t kMaxSsrcsPerGroup = 8;
  static constexpr size_t kMaxCandidates = 64;
  static constexpr size_t kMaxRids = 16;
  static constexpr size_t kMaxTokenLength = 256;  // ids, ufrag/pwd, mids, msid, cname, ...

  // Returns nullopt on malformed input; `error`, if given, then says which line and why.
  static std::optional<SessionDescription> Parse(std::string_view text, std::string* error = nullptr);
};

}  // namespace medicall::webrtc::sdp
