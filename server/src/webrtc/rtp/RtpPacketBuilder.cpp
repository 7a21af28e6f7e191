#include "webrtc/rtp/RtpPacketBuilder.hpp"

#include <cstring>

#include "common/Bytes.hpp"

namespace medicall::webrtc::rtp {

bool RtpPacketBuilder::AddCsrc(uint32_t csrc) {
  if (csrcCount_ >= kMaxCsrcs) return false;
  csrcs_[csrcCount_++] = csrc;
  return true;
}

bool RtpPacketBuilder::AddExtension(uint8_t id, std::span<const uint8_t> value) {
  if (id == 0 || value.size() > 255 || extCount_ >= kMaxExtensions) return false;
  if (arenaUsed_ + value.size() > kArenaSize) return false;
  for (size_t i = 0; i < extCount_; ++i) {
    if (exts_[i].id == id) return false;
  }
  if (!value.empty()) std::memcpy(arena_.data() + arenaUsed_, value.data(), value.size());
  exts_[extCount_++] = Ext{id, static_cast<uint16_t>(arenaUsed_), static_cast<uint8_t>(value.size())};
  arenaUsed_ += value.size();
  return true;
}

bool RtpPacketBuilder::AddMid(uint8_t id, std::string_view mid) {
  if (mid.empty()) return false;
  return AddExtension(id, {reinterpret_cast<const uint8_t*>(mid.data()), mid.size()});
}

bool RtpPacketBuilder::AddAbsSendTime(uint8_t id, uint32_t absSendTime24) {
  uint8_t v[3];
  WriteU24(v, absSendTime24 & 0xFFFFFF);
  return AddExtension(id, v);
}

bool RtpPacketBuilder::AddTransportSequenceNumber(uint8_t id, uint16_t seq) {
  uint8_t v[2];
  WriteU16(v, seq);
  return AddExtension(id, v);
}

bool RtpPacketBuilder::AddAudioLevel(uint8_t id, RtpPacket::AudioLevel level) {
  const uint8_t v[1] = {static_cast<uint8_t>((level.voice ? 0x80 : 0) | (level.level & 0x7F))};
  return AddExtension(id, v);
}

bool RtpPacketBuilder::UseOneByte() const {
  for (size_t i = 0; i < extCount_; ++i) {
    if (exts_[i].id >= RtpPacket::kOneByteReservedId || exts_[i].size == 0 || exts_[i].size > 16)
      return false;
  }
  return true;
}

size_t RtpPacketBuilder::ExtensionBlockSize() const {
  if (extCount_ == 0) return 0;
  const size_t perElement = UseOneByte() ? 1 : 2;
  size_t n = 0;
  for (size_t i = 0; i < extCount_; ++i) n += perElement + exts_[i].size;
  return (n + 3) & ~size_t{3};
}

size_t RtpPacketBuilder::SizeFor(size_t payloadSize) const {
  size_t n = RtpPacket::kFixedHeaderSize + 4 * csrcCount_ + payloadSize + padding_;
  if (extCount_ > 0) n += 4 + ExtensionBlockSize();
  return n;
}

size_t RtpPacketBuilder::Build(std::span<const uint8_t> payload, std::span<uint8_t> out) const {
  const size_t total = SizeFor(payload.size());
  if (total > out.size()) return 0;
  uint8_t* p = out.data();
  p[0] = static_cast<uint8_t>(0x80 | (padding_ ? 0x20 : 0) | (extCount_ ? 0x10 : 0) | csrcCount_);
  p[1] = static_cast<uint8_t>((marker_ ? 0x80 : 0) | payloadType_);
  WriteU16(p + 2, seq_);
  WriteU32(p + 4, timestamp_);
  WriteU32(p + 8, ssrc_);
  size_t pos = RtpPacket::kFixedHeaderSize;
  for (size_t i = 0; i < csrcCount_; ++i, pos += 4) WriteU32(p + pos, csrcs_[i]);
  if (extCount_ > 0) {
    const bool oneByte = UseOneByte();
    const size_t blockSize = ExtensionBlockSize();
    WriteU16(p + pos, oneByte ? RtpPacket::kOneByteProfile : RtpPacket::kTwoByteProfile);
    WriteU16(p + pos + 2, static_cast<uint16_t>(blockSize / 4));
    pos += 4;
    const size_t blockEnd = pos + blockSize;
    for (size_t i = 0; i < extCount_; ++i) {
      const Ext& e = exts_[i];
      if (oneByte) {
        p[pos++] = static_cast<uint8_t>((e.id << 4) | (e.size - 1));
      } else {
        p[pos++] = e.id;
        p[pos++] = e.size;
      }
      if (e.size) std::memcpy(p + pos, arena_.data() + e.offset, e.size);
      pos += e.size;
    }
    std::memset(p + pos, 0, blockEnd - pos);
    pos = blockEnd;
  }
  if (!payload.empty()) std::memcpy(p + pos, payload.data(), payload.size());
  pos += payload.size();
  if (padding_) {
    std::memset(p + pos, 0, padding_ - 1);
    pos += padding_;
    p[pos - 1] = padding_;
  }
  return pos;
}

}  // namespace medicall::webrtc::rtp
