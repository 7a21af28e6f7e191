#pragma once
// The client's own DATA_MESSAGE rules (amazon-chime-sdk-js SendAndReceiveDataMessagesTask):
// topic ^[a-zA-Z0-9_-]{1,36}$, data <= 2048 bytes, lifetime non-negative; we also cap the
// lifetime at the 5 minutes for which Chime replays messages to late joiners.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "signaling/SignalingProtocol.pb.h"

namespace medicall::signaling {

class DataMessageValidator {
 public:
  static constexpr size_t kMaxTopicLength = 36;
  static constexpr size_t kMaxDataBytes = 2048;
  static constexpr uint32_t kMaxLifetimeMs = 300'000;
  // At most this many payloads in one DATA_MESSAGE frame (the SDK sends one).
  static constexpr int kMaxPayloadsPerFrame = 16;

  static bool IsValidTopic(std::string_view topic);
  // nullopt when valid, else why not.
  static std::optional<std::string_view> Check(const proto::SdkDataMessagePayload& payload);
};

}  // namespace medicall::signaling
