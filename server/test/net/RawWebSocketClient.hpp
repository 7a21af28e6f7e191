#pragma once
// A raw TCP WebSocket client for tests of the server side: it does the opening handshake, then
// reads frames only when told to, so a test can play a peer that does not read (with a small
// receive buffer, the server's writes stall). Blocking POSIX sockets with poll() timeouts.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace medicall::net::testing {

class RawTcpClient {
 public:
  // Connects to 127.0.0.1:port; `receiveBuffer` > 0 sets SO_RCVBUF before connecting.
  explicit RawTcpClient(uint16_t port, int receiveBuffer = 0) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (receiveBuffer > 0) ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receiveBuffer, sizeof(receiveBuffer));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~RawTcpClient() { Close(); }
  RawTcpClient(const RawTcpClient&) = delete;
  RawTcpClient& operator=(const RawTcpClient&) = delete;

  bool Connected() const { return connected_; }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  bool Write(const std::string& bytes) {
    size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    return true;
  }
  // Reads exactly `n` bytes (from what is buffered first). nullopt on timeout or end of stream.
  std::optional<std::string> ReadExactly(size_t n, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (buffered_.size() < n) {
      if (!Fill(deadline)) return std::nullopt;
    }
    std::string out = buffered_.substr(0, n);
    buffered_.erase(0, n);
    return out;
  }
  // Reads up to and including `delimiter`.
  std::optional<std::string> ReadUntil(const std::string& delimiter, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    size_t at;
    while ((at = buffered_.find(delimiter)) == std::string::npos) {
      if (!Fill(deadline)) return std::nullopt;
    }
    std::string out = buffered_.substr(0, at + delimiter.size());
    buffered_.erase(0, at + delimiter.size());
    return out;
  }
  // True when the peer closed the connection (end of stream) within `timeout`.
  bool WaitForEnd(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const size_t before = buffered_.size();
      if (!Fill(deadline)) return ended_;
      if (buffered_.size() == before) return ended_;
    }
  }

 private:
  bool Fill(std::chrono::steady_clock::time_point deadline) {
    if (ended_) return false;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char chunk[65536];
    const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) {
      ended_ = true;
      return false;
    }
    buffered_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  bool ended_ = false;
  std::string buffered_;
};

class RawWebSocketClient {
 public:
  struct Frame {
    int opcode = 0;
    bool fin = false;
    std::string payload;
  };

  explicit RawWebSocketClient(uint16_t port, int receiveBuffer = 0) : tcp_(port, receiveBuffer) {}

  // Sends the upgrade request and reads the response head. Returns the HTTP status (0: none).
  int Handshake(const std::string& path, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    tcp_.Write("GET " + path +
               " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    const auto head = tcp_.ReadUntil("\r\n\r\n", timeout);
    if (!head || head->size() < 12) return 0;
    return std::stoi(head->substr(9, 3));
  }
  // One frame as sent by the server (unmasked).
  std::optional<Frame> ReadFrame(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    auto head = tcp_.ReadExactly(2, timeout);
    if (!head) return std::nullopt;
    Frame f;
    f.fin = (static_cast<uint8_t>((*head)[0]) & 0x80) != 0;
    f.opcode = static_cast<uint8_t>((*head)[0]) & 0x0f;
    uint64_t length = static_cast<uint8_t>((*head)[1]) & 0x7f;
    if (length >= 126) {
      const size_t extra = length == 126 ? 2 : 8;
      auto ext = tcp_.ReadExactly(extra, timeout);
      if (!ext) return std::nullopt;
      length = 0;
      for (char c : *ext) length = (length << 8) | static_cast<uint8_t>(c);
    }
    auto payload = tcp_.ReadExactly(static_cast<size_t>(length), timeout);
    if (!payload) return std::nullopt;
    f.payload = std::move(*payload);
    return f;
  }
  // Reads frames until a close frame; returns its code (0: none came). Data frames are appended
  // to `data` (continuations joined) when given.
  uint16_t ReadUntilClose(std::string* data = nullptr,
                          std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    while (auto f = ReadFrame(timeout)) {
      if (f->opcode == 8) {
        if (f->payload.size() < 2) return 1005;
        return static_cast<uint16_t>((static_cast<uint8_t>(f->payload[0]) << 8) |
                                     static_cast<uint8_t>(f->payload[1]));
      }
      if (data != nullptr && (f->opcode == 0 || f->opcode == 1 || f->opcode == 2)) *data += f->payload;
    }
    return 0;
  }
  RawTcpClient& Tcp() { return tcp_; }

 private:
  RawTcpClient tcp_;
};

}  // namespace medicall::net::testing
