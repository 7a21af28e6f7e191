#include "webrtc/rtp/Rtx.hpp"

#include <cstring>

#include "common/Bytes.hpp"

namespace medicall::webrtc::rtp {

size_t Rtx::Encapsulate(const RtpPacket& original, uint8_t rtxPayloadType, uint32_t rtxSsrc,
                        uint16_t rtxSequenceNumber, std::span<uint8_t> out) {
  const size_t header = original.HeaderSize();
  const size_t total = header + kOsnSize + original.PayloadSize();
  if (total > out.size()) return 0;
  uint8_t* p = out.data();
  std::memcpy(p, original.Data().data(), header);
  p[0] &= static_cast<uint8_t>(~0x20);  // no padding in the copy
  p[1] = static_cast<uint8_t>((p[1] & 0x80) | (rtxPayloadType & 0x7F));
  WriteU16(p + 2, rtxSequenceNumber);
  WriteU32(p + 8, rtxSsrc);
  WriteU16(p + header, original.SequenceNumber());
  if (original.PayloadSize()) {
    std::memcpy(p + header + kOsnSize, original.Payload().data(), original.PayloadSize());
  }
  return total;
}

std::optional<uint16_t> Rtx::OriginalSequenceNumber(const RtpPacket& rtx) {
  if (rtx.PayloadSize() < kOsnSize) return std::nullopt;
  return ReadU16(rtx.Payload().data());
}

size_t Rtx::Decapsulate(const RtpPacket& rtx, uint8_t originalPayloadType, uint32_t originalSsrc,
                        std::span<uint8_t> out) {
  const auto osn = OriginalSequenceNumber(rtx);
  if (!osn) return 0;
  const size_t header = rtx.HeaderSize();
  const size_t payload = rtx.PayloadSize() - kOsnSize;
  if (header + payload > out.size()) return 0;
  uint8_t* p = out.data();
  std::memcpy(p, rtx.Data().data(), header);
  p[0] &= static_cast<uint8_t>(~0x20);
  p[1] = static_cast<uint8_t>((p[1] & 0x80) | (originalPayloadType & 0x7F));
  WriteU16(p + 2, *osn);
  WriteU32(p + 8, originalSsrc);
  if (payload) std::memcpy(p + header, rtx.Payload().data() + kOsnSize, payload);
  return header + payload;
}

std::optional<RtpPacket> Rtx::DecapsulateInPlace(RtpPacket& rtx, uint8_t originalPayloadType,
                                                 uint32_t originalSsrc) {
  const auto osn = OriginalSequenceNumber(rtx);
  if (!osn) return std::nullopt;
  std::span<uint8_t> data = rtx.MutableData();
  const size_t header = rtx.HeaderSize();
  std::memmove(data.data() + kOsnSize, data.data(), header);
  std::span<uint8_t> moved = data.subspan(kOsnSize);
  auto original = RtpPacket::Parse(moved);
  if (!original) return std::nullopt;  // cannot happen: same header, same padding, shorter payload
  original->SetPayloadType(originalPayloadType);
  original->SetSequenceNumber(*osn);
  original->SetSsrc(originalSsrc);
  return original;
}

}  // namespace medicall::webrtc::rtp
