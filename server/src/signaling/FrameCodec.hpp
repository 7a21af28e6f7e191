#pragma once
// Chime signaling frames on the WebSocket (docs: /work/shared/design/chime-protocol.md section 2):
//
//   +--------+-------------------------------------------+
//   |  0x05  |  SdkSignalFrame (proto2, SignalingProtocol) |
//   +--------+-------------------------------------------+
//     1 byte   rest of the binary WebSocket message
//
// `timestamp_ms` and `type` are required: the SDK drops frames without them, and so do we.
// Decode never throws and never trusts the input; Encode never throws.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/Clock.hpp"
#include "signaling/SignalingProtocol.pb.h"

namespace medicall::signaling {

enum class FrameError {
  kNone,
  kEmpty,            // zero-length message
  kBadPrefix,        // first byte is not 0x05
  kTooLarge,         // more than FrameCodec::kMaxMessageSize bytes
  kUnparsable,       // not a valid protobuf encoding of SdkSignalFrame
  kMissingRequired,  // timestamp_ms, type or a nested required field absent
  kUnknownType,      // `type` present but not a type this schema knows (a newer client): ignore it
};

std::string_view ToString(FrameError error);

struct DecodedFrame {
  std::optional<proto::SdkSignalFrame> frame;  // set iff error == kNone
  FrameError error = FrameError::kNone;
  explicit operator bool() const { return frame.has_value(); }
};

class FrameCodec {
 public:
  static constexpr uint8_t kPrefix = 0x05;
  static constexpr size_t kMaxMessageSize = 1024 * 1024;

  static DecodedFrame Decode(std::span<const uint8_t> message);
  static DecodedFrame Decode(std::string_view message);

  // 0x05 + the serialized frame. Fills `timestamp_ms` from `clock` when the frame has none.
  // Returns an empty string when the frame has no `type` (it would be dropped by the client).
  static std::string Encode(proto::SdkSignalFrame& frame, const Clock& clock = Clock::System());
};

}  // namespace medicall::signaling
