#include "signaling/FrameCodec.hpp"

#include <google/protobuf/unknown_field_set.h>

#include "common/Logger.hpp"

namespace medicall::signaling {

std::string_view ToString(FrameError error) {
  switch (error) {
    case FrameError::kNone:
      return "ok";
    case FrameError::kEmpty:
      return "empty message";
    case FrameError::kBadPrefix:
      return "unknown frame prefix (want 0x05)";
    case FrameError::kTooLarge:
      return "message too large";
    case FrameError::kUnparsable:
      return "unparsable SdkSignalFrame";
    case FrameError::kMissingRequired:
      return "required field missing";
    case FrameError::kUnknownType:
      return "unknown frame type";
  }
  return "unknown error";
}

namespace {

constexpr int kTypeFieldNumber = proto::SdkSignalFrame::kTypeFieldNumber;

// proto2 keeps an out-of-range enum value as an unknown varint field: tell "type absent" from
// "type from a newer schema".
bool HasUnknownType(const proto::SdkSignalFrame& frame) {
  const auto& unknown = frame.GetReflection()->GetUnknownFields(frame);
  for (int i = 0; i < unknown.field_count(); ++i) {
    const auto& field = unknown.field(i);
    if (field.number() == kTypeFieldNumber && field.type() == google::protobuf::UnknownField::TYPE_VARINT)
      return true;
  }
  return false;
}

}  // namespace

DecodedFrame FrameCodec::Decode(std::span<const uint8_t> message) {
  DecodedFrame out;
  if (message.empty()) {
    out.error = FrameError::kEmpty;
  } else if (message.size() > kMaxMessageSize) {
    out.error = FrameError::kTooLarge;
  } else if (message[0] != kPrefix) {
    out.error = FrameError::kBadPrefix;
  } else {
    proto::SdkSignalFrame frame;
    // size <= 1 MiB, so the int conversion is safe.
    if (!frame.ParsePartialFromArray(message.data() + 1, static_cast<int>(message.size() - 1))) {
      out.error = FrameError::kUnparsable;
    } else if (frame.has_timestamp_ms() && !frame.has_type() && HasUnknownType(frame)) {
      out.error = FrameError::kUnknownType;
    } else if (!frame.IsInitialized()) {
      out.error = FrameError::kMissingRequired;
    } else {
      out.frame = std::move(frame);
      return out;
    }
  }
  log::Debug("signaling", "frame dropped: {} ({} bytes)", ToString(out.error), message.size());
  return out;
}

DecodedFrame FrameCodec::Decode(std::string_view message) {
  return Decode(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(message.data()), message.size()));
}

std::string FrameCodec::Encode(proto::SdkSignalFrame& frame, const Clock& clock) {
  if (!frame.has_type()) return {};
  if (!frame.has_timestamp_ms()) frame.set_timestamp_ms(static_cast<uint64_t>(clock.WallNowUs() / 1000));
  const size_t size = frame.ByteSizeLong();
  std::string out(size + 1, '\0');
  out[0] = static_cast<char>(kPrefix);
  // Partial: a nested required field left unset must not abort in debug builds; the result is
  // still a valid encoding of what was set.
  if (!frame.SerializePartialToArray(out.data() + 1, static_cast<int>(size))) return {};
  return out;
}

}  // namespace medicall::signaling
