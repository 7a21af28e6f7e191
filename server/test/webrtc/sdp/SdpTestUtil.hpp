#pragma once
// Helpers shared by the SDP tests: reading captured SDP files from server/test/data/sdp/.
#include <fstream>
#include <sstream>
#include <ostream>
#include <string>

#include "webrtc/sdp/SdpWriter.hpp"

namespace medicall::webrtc::sdp {
// GoogleTest prints descriptions as SDP text.
inline void PrintTo(const SessionDescription& sd, std::ostream* os) { *os << "\n" << SdpWriter::Write(sd); }
}  // namespace medicall::webrtc::sdp

namespace medicall::webrtc::sdp::test {

inline std::string ReadSdp(const std::string& name) {
  std::ifstream in(std::string(MEDICALL_TEST_DATA) + "/sdp/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string ToCrlf(const std::string& lf) {
  std::string out;
  for (char c : lf) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

}  // namespace medicall::webrtc::sdp::test
