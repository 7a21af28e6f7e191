#include "media/router/ExtensionTranslator.hpp"

#include <cstring>

#include "common/Bytes.hpp"

namespace medicall::media::router {

using webrtc::rtp::RtpPacket;

namespace {

enum class Kind : uint8_t { Drop, Mid, AbsSendTime, TransportCc, VideoOrientation };

Kind KindOf(uint8_t id, const webrtc::rtp::ExtensionIds& ids) {
  if (id == 0) return Kind::Drop;
  if (id == ids.mid) return Kind::Mid;
  if (id == ids.absSendTime) return Kind::AbsSendTime;
  if (id == ids.transportWideCc) return Kind::TransportCc;
  if (id == ids.videoOrientation) return Kind::VideoOrientation;
  return Kind::Drop;
}

uint8_t TargetId(Kind kind, const webrtc::rtp::ExtensionIds& ids) {
  switch (kind) {
    case Kind::Mid:
      return ids.mid;
    case Kind::AbsSendTime:
      return ids.absSendTime;
    case Kind::TransportCc:
      return ids.transportWideCc;
    case Kind::VideoOrientation:
      return ids.videoOrientation;
    case Kind::Drop:
      break;
  }
  return 0;
}

}  // namespace

void ExtensionTranslator::Translate(RtpPacket& packet, const webrtc::rtp::ExtensionIds& from,
                                    const Target& to) {
  const auto mode = packet.GetExtensionMode();
  if (mode != RtpPacket::ExtensionMode::kOneByte && mode != RtpPacket::ExtensionMode::kTwoByte) return;
  const std::span<const uint8_t> block = packet.ExtensionBlock();
  // The view's buffer is writable (Parse took a mutable span): find the block in it.
  uint8_t* base = packet.MutableData().data() + (block.data() - packet.Data().data());
  const bool oneByte = mode == RtpPacket::ExtensionMode::kOneByte;
  const size_t headerLen = oneByte ? 1 : 2;
  RtpPacket::WalkExtensions(block, mode, [&](uint8_t id, size_t offset, size_t len) {
    uint8_t* header = base + offset - headerLen;
    uint8_t* value = base + offset;
    const Kind kind = KindOf(id, from);
    const uint8_t newId = TargetId(kind, *to.ids);
    bool keep = newId != 0 && (!oneByte || newId <= 14);
    if (keep) {
      switch (kind) {
        case Kind::Mid:
          keep = to.mid.size() == len;
          if (keep) std::memcpy(value, to.mid.data(), len);
          break;
        case Kind::AbsSendTime:
          keep = len == 3;
          if (keep) WriteU24(value, to.absSendTime24);
          break;
        case Kind::TransportCc:
          keep = len == 2;
          if (keep) WriteU16(value, to.transportSequence);
          break;
        case Kind::VideoOrientation:
          keep = len == 1;  // the sender's rotation, as it is (3GPP TS 26.114 section 7.4.5: C F R1 R0)
          break;
        case Kind::Drop:
          keep = false;
          break;
      }
    }
    if (!keep) {
      std::memset(header, 0, headerLen + len);
    } else if (oneByte) {
      header[0] = static_cast<uint8_t>((newId << 4) | (header[0] & 0x0F));
    } else {
      header[0] = newId;
    }
    return false;
  });
}

}  // namespace medicall::media::router
