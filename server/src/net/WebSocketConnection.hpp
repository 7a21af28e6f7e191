#pragma once
// One accepted WebSocket connection (Beast stays in the .cpp). Thread-safe: Send and Close may be
// called from any thread; callbacks run on the HTTP thread. Outgoing messages are queued
// (bounded: a peer that does not read is closed with 1008 rather than growing memory; the frame
// being written when that happens is finished first).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace medicall::net {

class WebSocketConnection {
 public:
  struct Handlers {
    std::function<void(std::string_view data, bool binary)> onMessage;
    // Called once when the connection is gone: code 1006 when it died without a close frame.
    std::function<void(uint16_t code, std::string reason)> onClose;
  };

  static constexpr size_t kMaxQueuedBytes = 4 * 1024 * 1024;  // queued beyond: closed with 1008

  virtual ~WebSocketConnection() = default;
  // Installs handlers and starts reading. Call once, from onOpen.
  virtual void Start(Handlers handlers) = 0;
  virtual void Send(std::string data, bool binary) = 0;
  virtual void Close(uint16_t code, std::string reason) = 0;
  virtual std::string RemoteAddress() const = 0;
};

}  // namespace medicall::net
