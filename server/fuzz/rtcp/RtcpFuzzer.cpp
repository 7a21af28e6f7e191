// libFuzzer target: compound RTCP iteration, every packet type parser, then re-serialisation of what
// parsed and a re-parse that must agree. Any inconsistency traps.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <set>
#include <vector>

#include "webrtc/rtcp/Bye.hpp"
#include "webrtc/rtcp/Fir.hpp"
#include "webrtc/rtcp/Nack.hpp"
#include "webrtc/rtcp/Pli.hpp"
#include "webrtc/rtcp/ReceiverReport.hpp"
#include "webrtc/rtcp/Remb.hpp"
#include "webrtc/rtcp/RtcpCompound.hpp"
#include "webrtc/rtcp/Sdes.hpp"
#include "webrtc/rtcp/SenderReport.hpp"
#include "webrtc/rtcp/TransportFeedback.hpp"

using namespace medicall::webrtc::rtcp;

#define FUZZ_CHECK(c)           \
  do {                          \
    if (!(c)) __builtin_trap(); \
  } while (0)

namespace {

std::array<uint8_t, 300000> gOut;

template <typename T>
std::optional<T> Reparse(const T& value) {
  const size_t n = value.Serialize(gOut);
  FUZZ_CHECK(n > 0 && n % 4 == 0);
  auto again = T::Parse(std::span<const uint8_t>(gOut.data(), n));
  FUZZ_CHECK(again.has_value());
  return again;
}

void OnPacket(const RtcpCompound::Packet& p) {
  const auto d = p.data;
  if (auto sr = SenderReport::Parse(d)) {
    auto again = Reparse(*sr);
    FUZZ_CHECK(again->ntpTimestamp == sr->ntpTimestamp && again->blockCount == sr->blockCount);
    for (size_t i = 0; i < sr->blockCount; ++i) FUZZ_CHECK(again->blocks[i] == sr->blocks[i]);
  }
  if (auto rr = ReceiverReport::Parse(d)) {
    auto again = Reparse(*rr);
    FUZZ_CHECK(again->blockCount == rr->blockCount);
    for (size_t i = 0; i < rr->blockCount; ++i) FUZZ_CHECK(again->blocks[i] == rr->blocks[i]);
  }
  if (auto sdes = Sdes::Parse(d)) {
    auto again = Reparse(*sdes);
    FUZZ_CHECK(again->chunkCount == sdes->chunkCount);
    for (size_t c = 0; c < sdes->chunkCount; ++c) {
      FUZZ_CHECK(again->chunks[c].itemCount == sdes->chunks[c].itemCount);
      FUZZ_CHECK(again->chunks[c].Cname() == sdes->chunks[c].Cname());
    }
  }
  if (auto bye = Bye::Parse(d)) {
    auto again = Reparse(*bye);
    FUZZ_CHECK(again->ssrcCount == bye->ssrcCount && again->reason == bye->reason);
  }
  if (auto pli = Pli::Parse(d)) FUZZ_CHECK(*Reparse(*pli) == *pli);
  if (auto fir = Fir::Parse(d)) {
    auto again = Reparse(*fir);
    FUZZ_CHECK(again->entryCount == fir->entryCount && again->entries == fir->entries);
  }
  if (auto remb = Remb::Parse(d)) {
    auto again = Reparse(*remb);
    FUZZ_CHECK(again->bitrate == remb->bitrate && again->ssrcCount == remb->ssrcCount);
  }
  if (auto nack = Nack::Parse(d)) {
    std::vector<uint16_t> lost(nack->MaxLostCount());
    lost.resize(nack->LostPackets(lost));
    std::vector<uint8_t> out(Nack::SerializedSize(lost));
    FUZZ_CHECK(Nack::Serialize(nack->SenderSsrc(), nack->MediaSsrc(), lost, out) == out.size());
    auto again = Nack::Parse(out);
    FUZZ_CHECK(again.has_value());
    std::set<uint16_t> a(lost.begin(), lost.end());
    std::set<uint16_t> b;
    again->ForEachLost([&](uint16_t s) { b.insert(s); });
    FUZZ_CHECK(a == b);
  }
  if (auto fb = TransportFeedback::Parse(d)) {
    std::vector<TransportFeedback::PacketResult> results(fb->PacketStatusCount());
    FUZZ_CHECK(fb->GetPackets(results) == results.size());
    size_t received = 0;
    for (const auto& r : results) received += r.received;
    FUZZ_CHECK(received == fb->ReceivedCount());
    const size_t n = TransportFeedback::Serialize(fb->SenderSsrc(), fb->MediaSsrc(),
                                                  fb->FeedbackPacketCount(), results, gOut);
    if (n > 0) {
      auto again = TransportFeedback::Parse(std::span<const uint8_t>(gOut.data(), n));
      FUZZ_CHECK(again.has_value());
      std::vector<TransportFeedback::PacketResult> results2(again->PacketStatusCount());
      FUZZ_CHECK(again->GetPackets(results2) == results.size());
      // Re-basing may wrap the 24-bit reference time: arrival times agree modulo the wrap.
      constexpr int64_t kWrap = (int64_t{1} << 24) * TransportFeedback::kReferenceTickUs;
      for (size_t i = 0; i < results.size(); ++i) {
        FUZZ_CHECK(results2[i].sequenceNumber == results[i].sequenceNumber);
        FUZZ_CHECK(results2[i].received == results[i].received);
        FUZZ_CHECK(((results2[i].arrivalTimeUs - results[i].arrivalTimeUs) % kWrap + kWrap) % kWrap == 0);
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  RtcpCompound compound({data, size});
  const bool valid = compound.Validate();
  size_t visited = 0;
  const bool ok = compound.ForEach([&](const RtcpCompound::Packet& p) {
    FUZZ_CHECK(p.data.size() >= 4 && p.body.size() + 4 <= p.data.size());
    OnPacket(p);
    ++visited;
  });
  FUZZ_CHECK(ok == valid);
  FUZZ_CHECK(!valid || visited == compound.PacketCount());
  return 0;
}
