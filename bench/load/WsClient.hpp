#pragma once
// A WebSocket client (RFC 6455) over a blocking-connect, non-blocking TCP socket, for the load
// generator's signaling: opening handshake with subprotocols, masked binary messages out, unmasked
// messages in (text and binary; pings answered, fragments joined), close. The owner polls Fd() and
// calls Read() when it is readable; Next() hands out complete messages. A length field never makes it
// allocate more than kMaxMessage: a longer frame closes the connection.
#include <cstdint>
#include <deque>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

namespace medicall::bench::load {

class WsClient {
 public:
  static constexpr size_t kMaxMessage = 1 << 20;

  WsClient() = default;
  ~WsClient() { Close(); }
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;

  // Connects and upgrades; false with Error() set when the server does not answer 101.
  bool Connect(const std::string& host, uint16_t port, const std::string& path,
               const std::vector<std::string>& protocols, int timeoutMs = 10000);
  int Fd() const { return fd_; }
  bool Open() const { return fd_ >= 0 && closeCode_ == 0; }
  uint16_t CloseCode() const { return closeCode_; }
  const std::string& Error() const { return error_; }

  bool SendBinary(std::span<const uint8_t> payload) { return SendFrame(0x2, payload); }
  // Reads what the socket has (non-blocking) and parses complete frames.
  void Read();
  std::optional<std::string> Next();
  void Close();

 private:
  bool SendFrame(uint8_t opcode, std::span<const uint8_t> payload);
  void Parse();

  int fd_ = -1;
  uint16_t closeCode_ = 0;
  std::string error_;
  std::string in_;
  std::string fragments_;
  std::deque<std::string> messages_;
  std::mt19937 random_{std::random_device{}()};
};

}  // namespace medicall::bench::load
