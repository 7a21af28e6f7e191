#pragma once
// Writes a SessionDescription as SDP text (CRLF line ends), in the attribute order Chromium uses.
// Empty fields are left out, so a rejected m= section (port 0) carries only its mid.
#include <string>

#include "webrtc/sdp/SessionDescription.hpp"

namespace medicall::webrtc::sdp {

class SdpWriter {
 public:
  static std::string Write(const SessionDescription& description);
};

}  // namespace medicall::webrtc::sdp
