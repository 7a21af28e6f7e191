// Per-packet costs of the RTP/RTCP layer: parse + header rewrite as the SFU does for every forwarded
// packet, and compound RTCP parsing. Run: build/<dir>/bench/rtp/bench_rtp
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <vector>

#include "webrtc/rtcp/Nack.hpp"
#include "webrtc/rtcp/ReceiverReport.hpp"
#include "webrtc/rtcp/Remb.hpp"
#include "webrtc/rtcp/RtcpCompound.hpp"
#include "webrtc/rtcp/Sdes.hpp"
#include "webrtc/rtcp/SenderReport.hpp"
#include "webrtc/rtcp/TransportFeedback.hpp"
#include "webrtc/rtp/RtpPacket.hpp"
#include "webrtc/rtp/RtpPacketBuilder.hpp"
#include "webrtc/rtp/RtpPacketCache.hpp"
#include "webrtc/rtp/RtpRewriter.hpp"
#include "webrtc/rtp/Vp8PayloadDescriptor.hpp"

namespace {

using namespace medicall::webrtc;

// A 1200-byte VP8 packet with Chromium's video extensions (abs-send-time 2, transport-cc 3, mid 4).
std::vector<uint8_t> MakeVideoPacket() {
  rtp::RtpPacketBuilder b;
  b.SetPayloadType(96).SetSequenceNumber(1000).SetTimestamp(90000).SetSsrc(0x5c7a9e01);
  b.AddAbsSendTime(2, 0x123456);
  b.AddTransportSequenceNumber(3, 42);
  b.AddMid(4, "1");
  std::vector<uint8_t> payload(1200 - b.SizeFor(0), 0x11);
  payload[0] = 0x90;
  payload[1] = 0x80;
  payload[2] = 0x92;
  payload[3] = 0x34;
  payload[4] = 0x31;  // interframe
  std::vector<uint8_t> out(1200);
  out.resize(b.Build(payload, out));
  return out;
}

void BM_RtpParse(benchmark::State& state) {
  auto packet = MakeVideoPacket();
  for (auto _ : state) {
    auto p = rtp::RtpPacket::Parse(packet);
    benchmark::DoNotOptimize(p);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RtpParse);

// What the forwarding path does per subscriber: parse, read mid and transport-cc, rewrite SSRC, sequence
// number, timestamp, payload type and the transport-wide sequence number, check for a key frame.
void BM_RtpParseAndRewrite(benchmark::State& state) {
  auto packet = MakeVideoPacket();
  uint16_t seq = 0;
  uint16_t twcc = 0;
  for (auto _ : state) {
    auto p = rtp::RtpPacket::Parse(packet);
    benchmark::DoNotOptimize(p->GetMid(4));
    p->SetSsrc(0xABCDEF01);
    p->SetSequenceNumber(++seq);
    p->SetTimestamp(p->Timestamp() + 3000);
    p->SetPayloadType(96);
    p->SetTransportSequenceNumber(3, ++twcc);
    benchmark::DoNotOptimize(rtp::Vp8PayloadDescriptor::IsKeyframe(p->Payload()));
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RtpParseAndRewrite);

// The SFU building blocks per forwarded packet: store in the publisher's NACK cache, then per subscriber
// parse, rewrite through RtpRewriter (SSRC/sequence/timestamp) and the transport-wide sequence number.
void BM_SfuForwardOneSubscriber(benchmark::State& state) {
  const auto packet = MakeVideoPacket();
  std::vector<uint8_t> work(packet);
  rtp::RtpPacketCache cache(512);
  rtp::RtpRewriter rewriter(0xABCDEF01, 90000, 1, 1);
  uint16_t seq = 0;
  uint16_t twcc = 0;
  int64_t now = 0;
  for (auto _ : state) {
    std::copy(packet.begin(), packet.end(), work.begin());
    auto p = rtp::RtpPacket::Parse(work);
    p->SetSequenceNumber(++seq);
    cache.Store(seq, p->Data(), now);
    rewriter.Rewrite(*p, ++now);
    p->SetTransportSequenceNumber(3, ++twcc);
    benchmark::DoNotOptimize(p->Data().data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SfuForwardOneSubscriber);

std::vector<uint8_t> MakeCompound() {
  std::vector<uint8_t> out(1500);
  size_t pos = 0;
  rtcp::SenderReport sr;
  sr.senderSsrc = 1;
  sr.AddBlock({0x5c7a9e01, 3, 10, 70000, 20, 1, 2});
  pos += sr.Serialize(std::span<uint8_t>(out).subspan(pos));
  rtcp::Sdes sdes;
  sdes.AddCname(1, "dGVzdGNuYW1lMTIz");
  pos += sdes.Serialize(std::span<uint8_t>(out).subspan(pos));
  rtcp::Remb remb;
  remb.senderSsrc = 1;
  remb.bitrate = 1500000;
  remb.AddSsrc(0x5c7a9e01);
  pos += remb.Serialize(std::span<uint8_t>(out).subspan(pos));
  const std::array<uint16_t, 3> lost = {100, 101, 105};
  pos += rtcp::Nack::Serialize(1, 0x5c7a9e01, lost, std::span<uint8_t>(out).subspan(pos));
  std::vector<rtcp::TransportFeedback::PacketResult> results;
  for (int i = 0; i < 40; ++i)
    results.push_back({static_cast<uint16_t>(500 + i), i % 9 != 4, 1'000'000 + i * 1'300});
  pos += rtcp::TransportFeedback::Serialize(1, 0x5c7a9e01, 0, results, std::span<uint8_t>(out).subspan(pos));
  out.resize(pos);
  return out;
}

// Compound of SR(1 block) + SDES + REMB + NACK + transport feedback (40 packets), every packet parsed.
void BM_RtcpCompoundParse(benchmark::State& state) {
  const auto compound = MakeCompound();
  for (auto _ : state) {
    size_t n = 0;
    rtcp::RtcpCompound(compound).ForEach([&](const rtcp::RtcpCompound::Packet& p) {
      switch (p.header.packetType) {
        case 200:
          benchmark::DoNotOptimize(rtcp::SenderReport::Parse(p.data));
          break;
        case 202:
          benchmark::DoNotOptimize(rtcp::Sdes::Parse(p.data));
          break;
        case 206:
          benchmark::DoNotOptimize(rtcp::Remb::Parse(p.data));
          break;
        case 205:
          if (p.header.count == rtcp::kFmtNack) {
            rtcp::Nack::Parse(p.data)->ForEachLost([&](uint16_t s) { n += s; });
          } else if (auto fb = rtcp::TransportFeedback::Parse(p.data)) {
            fb->ForEachPacket([&](const rtcp::TransportFeedback::PacketResult& r) { n += r.received; });
          }
          break;
        default:
          break;
      }
    });
    benchmark::DoNotOptimize(n);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(compound.size()));
}
BENCHMARK(BM_RtcpCompoundParse);

void BM_TransportFeedbackBuild(benchmark::State& state) {
  std::vector<rtcp::TransportFeedback::PacketResult> results;
  for (int i = 0; i < state.range(0); ++i) {
    results.push_back({static_cast<uint16_t>(500 + i), i % 9 != 4, 1'000'000 + i * 1'300});
  }
  std::array<uint8_t, 4096> out{};
  for (auto _ : state) benchmark::DoNotOptimize(rtcp::TransportFeedback::Serialize(1, 2, 0, results, out));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_TransportFeedbackBuild)->Arg(40)->Arg(200);

}  // namespace

BENCHMARK_MAIN();
