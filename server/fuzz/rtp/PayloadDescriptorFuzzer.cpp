// payload_descriptor_fuzzer: the video payload inspection the router's keyframe detection relies on.
//   VP8 (webrtc/rtp/Vp8PayloadDescriptor, RFC 7741 section 4.2): what Parse accepts re-encodes, field by
//   field, to the input's own descriptor bytes (reserved bits aside), its size leaves at least one byte of
//   VP8 data, and IsKeyframe holds exactly for a first partition whose payload header has P = 0 and the
//   start code 9d 01 2a (RFC 6386 section 9.1).
//   H.264 (webrtc/rtp/H264Payload, RFC 6184): what Inspect calls valid tiles exactly (STAP-A sizes add
//   up to the payload), flags imply validity, FU-A flags come only from a first fragment, and two NAL
//   units packed into a STAP-A give a valid packet with the union of their flags.
// Note: H.264 here covers H264Payload::Inspect as it is; a dedicated H.264 descriptor (keyframe detection
// by negotiated codec, issue 9 item 11) gets its checks added here when it lands.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "common/FuzzCheck.hpp"
#include "webrtc/rtp/H264Payload.hpp"
#include "webrtc/rtp/Vp8PayloadDescriptor.hpp"

namespace {

using medicall::webrtc::rtp::H264Payload;
using medicall::webrtc::rtp::Vp8PayloadDescriptor;

// RFC 7741 section 4.2 from the parsed fields; reserved bits are taken from the original.
std::vector<uint8_t> EncodeVp8(const Vp8PayloadDescriptor& d, std::span<const uint8_t> original) {
  const bool extended = d.pictureId || d.tl0PicIdx || d.temporalId || d.keyIdx || (original[0] & 0x80);
  std::vector<uint8_t> out;
  out.push_back(static_cast<uint8_t>((extended ? 0x80 : 0) | (original[0] & 0x40) |
                                     (d.nonReference ? 0x20 : 0) | (d.startOfPartition ? 0x10 : 0) |
                                     (original[0] & 0x08) | d.partitionId));
  if (!extended) return out;
  out.push_back(static_cast<uint8_t>((d.pictureId ? 0x80 : 0) | (d.tl0PicIdx ? 0x40 : 0) |
                                     (d.temporalId ? 0x20 : 0) | (d.keyIdx ? 0x10 : 0) |
                                     (original[1] & 0x0F)));
  if (d.pictureId) {
    if (d.pictureId15Bit) {
      out.push_back(static_cast<uint8_t>(0x80 | (*d.pictureId >> 8)));
      out.push_back(static_cast<uint8_t>(*d.pictureId));
    } else {
      out.push_back(static_cast<uint8_t>(*d.pictureId));
    }
  }
  if (d.tl0PicIdx) out.push_back(*d.tl0PicIdx);
  if (d.temporalId || d.keyIdx) {
    // The T/K byte: TID and Y only with T, KEYIDX only with K; bits of an absent field are free.
    const uint8_t tk = original[out.size()];
    const uint8_t tidY = d.temporalId ? static_cast<uint8_t>((*d.temporalId << 6) | (d.layerSync ? 0x20 : 0))
                                      : static_cast<uint8_t>(tk & 0xE0);
    out.push_back(static_cast<uint8_t>(tidY | (d.keyIdx ? *d.keyIdx : (tk & 0x1F))));
  }
  return out;
}

void CheckVp8(std::span<const uint8_t> payload) {
  const auto d = Vp8PayloadDescriptor::Parse(payload);
  const bool keyframe = Vp8PayloadDescriptor::IsKeyframe(payload);
  if (!d) {
    FUZZ_CHECK(!keyframe);
    return;
  }
  FUZZ_CHECK(d->size >= 1 && d->size < payload.size());
  FUZZ_CHECK(d->partitionId <= 0x0F);
  if (d->pictureId) FUZZ_CHECK(*d->pictureId < (d->pictureId15Bit ? 0x8000 : 0x80));
  if (d->temporalId) FUZZ_CHECK(*d->temporalId < 4);
  if (d->keyIdx) FUZZ_CHECK(*d->keyIdx < 32);
  const std::vector<uint8_t> again = EncodeVp8(*d, payload);
  FUZZ_CHECK(again.size() == d->size);
  for (size_t i = 0; i < again.size(); ++i) FUZZ_CHECK(again[i] == payload[i]);
  const auto frame = payload.subspan(d->size);
  const bool expectKey = d->startOfPartition && d->partitionId == 0 && frame.size() >= 10 &&
                         (frame[0] & 1) == 0 && frame[3] == 0x9d && frame[4] == 0x01 && frame[5] == 0x2a;
  FUZZ_CHECK(keyframe == expectKey);
}

H264Payload::Info Flags(uint8_t nalType) {
  H264Payload::Info i;
  i.hasIdr = nalType == H264Payload::kNalIdr;
  i.hasSps = nalType == H264Payload::kNalSps;
  i.hasPps = nalType == H264Payload::kNalPps;
  return i;
}

void CheckH264(std::span<const uint8_t> payload) {
  const H264Payload::Info info = H264Payload::Inspect(payload);
  FUZZ_CHECK(H264Payload::IsKeyframe(payload) == info.IsKeyframe());
  if (!info.valid) {
    FUZZ_CHECK(!info.hasIdr && !info.hasSps && !info.hasPps);
    return;
  }
  FUZZ_CHECK(!payload.empty() && (payload[0] & 0x80) == 0);
  const uint8_t type = payload[0] & 0x1F;
  if (type >= 1 && type <= 23) {
    const auto f = Flags(type);
    FUZZ_CHECK(info.hasIdr == f.hasIdr && info.hasSps == f.hasSps && info.hasPps == f.hasPps);
  } else if (type == H264Payload::kNalStapA) {
    size_t pos = 1;
    bool idr = false, sps = false, pps = false;
    while (pos < payload.size()) {
      FUZZ_CHECK(payload.size() - pos >= 3);
      const size_t n = (size_t{payload[pos]} << 8) | payload[pos + 1];
      FUZZ_CHECK(n >= 1 && n <= payload.size() - pos - 2);
      const auto f = Flags(payload[pos + 2] & 0x1F);
      idr = idr || f.hasIdr;
      sps = sps || f.hasSps;
      pps = pps || f.hasPps;
      pos += 2 + n;
    }
    FUZZ_CHECK(pos == payload.size());
    FUZZ_CHECK(info.hasIdr == idr && info.hasSps == sps && info.hasPps == pps);
  } else {
    FUZZ_CHECK(type == H264Payload::kNalFuA && payload.size() >= 3 && (payload[1] & 0xC0) != 0xC0);
    const auto f = (payload[1] & 0x80) ? Flags(payload[1] & 0x1F) : H264Payload::Info{};
    FUZZ_CHECK(info.hasIdr == f.hasIdr && info.hasSps == f.hasSps && info.hasPps == f.hasPps);
  }
}

// Two single NAL units (from the input, forbidden bit cleared) aggregated in one STAP-A.
void CheckStapA(std::span<const uint8_t> input) {
  if (input.size() < 3) return;
  const size_t split = 1 + input[0] % (input.size() - 2);
  std::vector<uint8_t> a(input.begin() + 1, input.begin() + 1 + static_cast<std::ptrdiff_t>(split));
  std::vector<uint8_t> b(input.begin() + 1 + static_cast<std::ptrdiff_t>(split), input.end());
  if (a.empty() || b.empty() || a.size() > 0xFFFF || b.size() > 0xFFFF) return;
  a[0] &= 0x7F;
  b[0] &= 0x7F;
  std::vector<uint8_t> stap{0x18};
  for (const auto* unit : {&a, &b}) {
    stap.push_back(static_cast<uint8_t>(unit->size() >> 8));
    stap.push_back(static_cast<uint8_t>(unit->size()));
    stap.insert(stap.end(), unit->begin(), unit->end());
  }
  const H264Payload::Info info = H264Payload::Inspect(stap);
  FUZZ_CHECK(info.valid);
  const auto fa = Flags(a[0] & 0x1F);
  const auto fb = Flags(b[0] & 0x1F);
  FUZZ_CHECK(info.hasIdr == (fa.hasIdr || fb.hasIdr));
  FUZZ_CHECK(info.hasSps == (fa.hasSps || fb.hasSps));
  FUZZ_CHECK(info.hasPps == (fa.hasPps || fb.hasPps));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<uint8_t> copy(data, data + size);  // exact bounds for ASan
  const std::span<const uint8_t> payload(copy);
  CheckVp8(payload);
  CheckH264(payload);
  CheckStapA(payload);
  return 0;
}
