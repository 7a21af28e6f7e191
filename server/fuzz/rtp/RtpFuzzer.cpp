// libFuzzer target: RTP parsing, every extension accessor, VP8/H.264 key frame detection, RTX
// decapsulation and a rebuild of what parsed. Any inconsistency traps.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "common/FuzzCheck.hpp"
#include "webrtc/rtp/H264Payload.hpp"
#include "webrtc/rtp/RtpPacket.hpp"
#include "webrtc/rtp/RtpPacketBuilder.hpp"
#include "webrtc/rtp/Rtx.hpp"
#include "webrtc/rtp/Vp8PayloadDescriptor.hpp"

using namespace medicall::webrtc::rtp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> buffer(data, data + size);
  auto packet = RtpPacket::Parse(buffer);
  if (!packet) return 0;
  FUZZ_CHECK(packet->HeaderSize() + packet->PayloadSize() + packet->PaddingSize() == size);
  volatile uint64_t sink =
      packet->Ssrc() + packet->Timestamp() + packet->SequenceNumber() + packet->PayloadType();
  for (size_t i = 0; i < packet->CsrcCount(); ++i) sink = sink + packet->Csrc(i);

  RtpPacketBuilder builder;
  builder.SetMarker(packet->Marker())
      .SetPayloadType(packet->PayloadType())
      .SetSequenceNumber(packet->SequenceNumber());
  builder.SetTimestamp(packet->Timestamp()).SetSsrc(packet->Ssrc());
  for (size_t i = 0; i < packet->CsrcCount(); ++i) builder.AddCsrc(packet->Csrc(i));
  bool rebuildable = true;
  packet->ForEachExtension([&](uint8_t id, std::span<const uint8_t> value) {
    const auto found = packet->FindExtension(id);
    FUZZ_CHECK(found.has_value());
    if (found->data() != value.data()) rebuildable = false;  // a duplicate id: only the first is findable
    if (!builder.AddExtension(id, value)) rebuildable = false;
  });
  for (int id = 1; id < 256; ++id) {
    const auto u8 = static_cast<uint8_t>(id);
    if (auto mid = packet->GetMid(u8)) sink = sink + mid->size();
    if (auto t = packet->GetAbsSendTime(u8)) sink = sink + *t;
    if (auto s = packet->GetTransportSequenceNumber(u8)) sink = sink + *s;
    if (auto l = packet->GetAudioLevel(u8)) sink = sink + l->level;
  }
  const auto payload = packet->Payload();
  sink = sink + Vp8PayloadDescriptor::IsKeyframe(payload) + H264Payload::IsKeyframe(payload);
  if (auto d = Vp8PayloadDescriptor::Parse(payload)) FUZZ_CHECK(d->size < payload.size());

  // Rebuild from the parsed fields and compare.
  if (rebuildable &&
      (packet->GetExtensionMode() == RtpPacket::ExtensionMode::kOneByte ||
       packet->GetExtensionMode() == RtpPacket::ExtensionMode::kTwoByte || !packet->HasExtension())) {
    std::vector<uint8_t> rebuilt(builder.SizeFor(payload.size()));
    FUZZ_CHECK(builder.Build(payload, rebuilt) == rebuilt.size());
    auto again = RtpPacket::Parse(rebuilt);
    FUZZ_CHECK(again.has_value());
    FUZZ_CHECK(again->Ssrc() == packet->Ssrc() && again->SequenceNumber() == packet->SequenceNumber());
    FUZZ_CHECK(again->PayloadSize() == payload.size());
    FUZZ_CHECK(std::memcmp(again->Payload().data(), payload.data(), payload.size()) == 0);
    packet->ForEachExtension([&](uint8_t id, std::span<const uint8_t> value) {
      const auto other = again->FindExtension(id);
      FUZZ_CHECK(other && other->size() == value.size());
      FUZZ_CHECK(value.empty() || std::memcmp(other->data(), value.data(), value.size()) == 0);
    });
  }

  // RTX both ways.
  std::array<uint8_t, 2048> out{};
  if (size + 2 <= out.size()) {
    const size_t n = Rtx::Encapsulate(*packet, 97, 0x1234, 1, out);
    FUZZ_CHECK(n == packet->HeaderSize() + 2 + packet->PayloadSize());
    auto rtx = RtpPacket::Parse(std::span<uint8_t>(out.data(), n));
    FUZZ_CHECK(rtx && Rtx::OriginalSequenceNumber(*rtx) == packet->SequenceNumber());
  }
  const size_t m = Rtx::Decapsulate(*packet, 96, 0x5678, out);
  if (m) FUZZ_CHECK(RtpPacket::Parse(std::span<uint8_t>(out.data(), m)).has_value());
  if (auto original = Rtx::DecapsulateInPlace(*packet, 96, 0x5678)) {
    FUZZ_CHECK(original->Size() + 2 == size && original->Ssrc() == 0x5678);
  }
  return 0;
}
