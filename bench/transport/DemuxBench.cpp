// Parse + demux cost per received datagram on the media port: RFC 7983 classification, the
// route lookup (ICE ufrag for STUN, validated address for the rest) and the header parse, on
// packets kept in server/test/data (a Chromium binding request, VP8 and Opus RTP).
#include <benchmark/benchmark.h>

#include <fstream>
#include <iterator>
#include <string>
#include <unordered_map>
#include <vector>

#include "webrtc/rtp/RtpPacket.hpp"
#include "webrtc/stun/StunMessage.hpp"
#include "webrtc/stun/TransportAddress.hpp"
#include "webrtc/transport/PacketClassifier.hpp"

using namespace medicall::webrtc;

namespace {

std::vector<uint8_t> Load(const std::string& name) {
  std::ifstream in(std::string(MEDICALL_TEST_DATA) + "/" + name, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A demuxer-shaped routing table with `sessions` transports, as MediaDemuxer keeps it.
struct Routes {
  std::unordered_map<stun::TransportAddress, int, stun::TransportAddressHash> byAddress;
  std::unordered_map<std::string, int> byUfrag;
  explicit Routes(int sessions) {
    for (int i = 0; i < sessions; ++i) {
      byAddress.emplace(stun::TransportAddress::V4(0x7f000001, static_cast<uint16_t>(20000 + i)), i);
      byUfrag.emplace("uf" + std::to_string(i), i);
    }
  }
};

void BM_DemuxRtp(benchmark::State& state, const char* file) {
  auto packet = Load(file);
  if (packet.empty()) return state.SkipWithError("test packet missing");
  Routes routes(static_cast<int>(state.range(0)));
  const auto from = stun::TransportAddress::V4(0x7f000001, static_cast<uint16_t>(20000 + state.range(0) / 2));
  std::vector<uint8_t> buffer = packet;
  int64_t routed = 0;
  for (auto _ : state) {
    const auto kind = transport::PacketClassifier::Classify(buffer);
    if (kind != transport::PacketKind::Rtp) return state.SkipWithError("not classified as RTP");
    auto it = routes.byAddress.find(from);
    auto rtp = rtp::RtpPacket::Parse(buffer);
    benchmark::DoNotOptimize(rtp);
    routed += (it != routes.byAddress.end() && rtp.has_value());
  }
  state.counters["routed"] = static_cast<double>(routed);
  state.SetItemsProcessed(state.iterations());
}

void BM_DemuxStun(benchmark::State& state) {
  auto packet = Load("stun/chromium-binding-request.bin");
  if (packet.empty()) return state.SkipWithError("test packet missing");
  Routes routes(static_cast<int>(state.range(0)));
  int64_t parsed = 0;
  for (auto _ : state) {
    const auto kind = transport::PacketClassifier::Classify(packet);
    if (kind != transport::PacketKind::Stun) return state.SkipWithError("not classified as STUN");
    auto msg = stun::StunMessage::Parse(packet);
    benchmark::DoNotOptimize(msg);
    if (msg) {
      auto user = msg->Username();
      if (user) {
        const auto colon = user->find(':');
        benchmark::DoNotOptimize(routes.byUfrag.find(std::string(user->substr(0, colon))));
      }
      ++parsed;
    }
  }
  state.counters["parsed"] = static_cast<double>(parsed);
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK_CAPTURE(BM_DemuxRtp, vp8, "rtp/chrome-vp8-delta.bin")->Arg(1)->Arg(100)->Arg(1000);
BENCHMARK_CAPTURE(BM_DemuxRtp, opus, "rtp/chrome-opus.bin")->Arg(1)->Arg(1000);
BENCHMARK(BM_DemuxStun)->Arg(1)->Arg(1000);
BENCHMARK_MAIN();
