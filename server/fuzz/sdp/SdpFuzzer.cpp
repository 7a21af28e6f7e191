// libFuzzer target: SDP parsing, answering the parsed offer, and re-parsing the written answer.
// Corpus: server/fuzz/corpus/sdp_fuzzer/ (Chromium offers and a libwebrtc answer).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "webrtc/sdp/AnswerBuilder.hpp"
#include "webrtc/sdp/SdpParser.hpp"
#include "webrtc/sdp/SdpWriter.hpp"

using namespace medicall::webrtc::sdp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto offer = SdpParser::Parse(text);
  if (!offer) return 0;
  // What we parsed must survive writing and parsing again.
  if (!SdpParser::Parse(SdpWriter::Write(*offer))) abort();

  AnswerOptions local;
  local.iceUfrag = "fuzz";
  local.icePwd = "fuzzpasswordfuzzpasswd";
  local.fingerprintSha256 =
      "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF";
  local.candidateIp = "127.0.0.1";
  local.candidatePort = 40000;
  local.enableH264 = (size & 1) != 0;
  AnswerBuilder builder(local);
  for (const MediaSection& m : offer->media) {
    if (m.mid.empty()) continue;
    builder.SetSection(m.mid, SectionOptions{Direction::SendRecv, SendParameters{"s", "t", "c", 1, 2}});
  }
  auto answer = builder.Build(*offer);
  if (answer && !SdpParser::Parse(answer->sdp)) abort();  // our own answers always parse
  return 0;
}
