#include "webrtc/rtp/RtpPacket.hpp"

#include <algorithm>
#include <cstring>

namespace medicall::webrtc::rtp {

std::optional<RtpPacket> RtpPacket::CopyTo(std::span<uint8_t> out) const {
  if (out.size() < size_) return std::nullopt;
  std::memmove(out.data(), data_, size_);
  RtpPacket copy = *this;
  copy.data_ = out.data();
  return copy;
}

std::optional<RtpPacket> RtpPacket::Parse(std::span<uint8_t> data) {
  if (data.size() < kFixedHeaderSize) return std::nullopt;
  if ((data[0] >> 6) != 2) return std::nullopt;
  RtpPacket p;
  p.data_ = data.data();
  p.size_ = data.size();
  size_t pos = kFixedHeaderSize + 4 * static_cast<size_t>(data[0] & 0x0F);
  if (pos > data.size()) return std::nullopt;
  if (data[0] & 0x10) {
    if (pos + 4 > data.size()) return std::nullopt;
    const uint16_t profile = ReadU16(&data[pos]);
    const size_t extLen = 4 * static_cast<size_t>(ReadU16(&data[pos + 2]));
    pos += 4;
    if (extLen > data.size() - pos) return std::nullopt;
    p.extOffset_ = pos;
    p.extSize_ = extLen;
    if (profile == kOneByteProfile) {
      p.extMode_ = ExtensionMode::kOneByte;
    } else if ((profile & 0xFFF0) == kTwoByteProfile) {
      p.extMode_ = ExtensionMode::kTwoByte;
    } else {
      p.extMode_ = ExtensionMode::kOther;
    }
    if (!WalkExtensions(data.subspan(pos, extLen), p.extMode_,
                        [](uint8_t, size_t, size_t) { return false; })) {
      return std::nullopt;
    }
    pos += extLen;
  } else {
    p.extOffset_ = pos;
  }
  p.headerSize_ = pos;
  size_t rest = data.size() - pos;
  if (data[0] & 0x20) {
    const size_t padding = data.back();
    // The count includes itself, so zero is invalid, and it may not reach into the header.
    if (padding == 0 || padding > rest) return std::nullopt;
    p.paddingSize_ = padding;
    rest -= padding;
  }
  p.payloadSize_ = rest;
  return p;
}

bool RtpPacket::LooksLikeRtp(std::span<const uint8_t> data) {
  if (data.size() < kFixedHeaderSize || (data[0] >> 6) != 2) return false;
  const uint8_t pt = data[1];
  return pt < 192 || pt > 223;  // RFC 5761 section 4: RTCP packet types 192-223 (marker bit included)
}

std::optional<std::span<const uint8_t>> RtpPacket::FindExtension(uint8_t id) const {
  if (id == 0) return std::nullopt;
  std::optional<std::span<const uint8_t>> found;
  WalkExtensions(ExtensionBlock(), extMode_, [&](uint8_t eid, size_t offset, size_t len) {
    if (eid != id) return false;
    found = std::span<const uint8_t>(data_ + extOffset_ + offset, len);
    return true;
  });
  return found;
}

std::optional<std::span<uint8_t>> RtpPacket::FindMutableExtension(uint8_t id) {
  auto found = FindExtension(id);
  if (!found) return std::nullopt;
  // The span points into our own mutable buffer.
  return std::span<uint8_t>(data_ + (found->data() - data_), found->size());
}

bool RtpPacket::SetExtension(uint8_t id, std::span<const uint8_t> value) {
  auto target = FindMutableExtension(id);
  if (!target || target->size() != value.size()) return false;
  std::memmove(target->data(), value.data(), value.size());
  return true;
}

std::optional<std::string_view> RtpPacket::GetMid(uint8_t id) const {
  auto v = FindExtension(id);
  if (!v || v->empty()) return std::nullopt;
  return std::string_view(reinterpret_cast<const char*>(v->data()), v->size());
}

bool RtpPacket::SetMid(uint8_t id, std::string_view mid) {
  return SetExtension(id, {reinterpret_cast<const uint8_t*>(mid.data()), mid.size()});
}

std::optional<uint32_t> RtpPacket::GetAbsSendTime(uint8_t id) const {
  auto v = FindExtension(id);
  if (!v || v->size() != 3) return std::nullopt;
  return ReadU24(v->data());
}

bool RtpPacket::SetAbsSendTime(uint8_t id, uint32_t absSendTime24) {
  auto v = FindMutableExtension(id);
  if (!v || v->size() != 3) return false;
  WriteU24(v->data(), absSendTime24 & 0xFFFFFF);
  return true;
}

std::optional<uint16_t> RtpPacket::GetTransportSequenceNumber(uint8_t id) const {
  auto v = FindExtension(id);
  if (!v || v->size() < 2) return std::nullopt;  // draft -02 appends two more bytes
  return ReadU16(v->data());
}

bool RtpPacket::SetTransportSequenceNumber(uint8_t id, uint16_t seq) {
  auto v = FindMutableExtension(id);
  if (!v || v->size() < 2) return false;
  WriteU16(v->data(), seq);
  return true;
}

std::optional<RtpPacket::AudioLevel> RtpPacket::GetAudioLevel(uint8_t id) const {
  auto v = FindExtension(id);
  if (!v || v->empty()) return std::nullopt;
  return AudioLevel{((*v)[0] & 0x80) != 0, static_cast<uint8_t>((*v)[0] & 0x7F)};
}

bool RtpPacket::SetAudioLevel(uint8_t id, AudioLevel level) {
  auto v = FindMutableExtension(id);
  if (!v || v->empty()) return false;
  (*v)[0] = static_cast<uint8_t>((level.voice ? 0x80 : 0) | (level.level & 0x7F));
  return true;
}

}  // namespace medicall::webrtc::rtp
