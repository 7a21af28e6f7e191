#include "WsClient.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

#include "HttpClient.hpp"

namespace medicall::bench::load {

namespace {

// 16 random bytes, base64: the Sec-WebSocket-Key (the server's accept value is not checked).
std::string RandomKey(std::mt19937& random) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string key;
  for (int i = 0; i < 21; ++i) key += kAlphabet[random() % 64];
  key += "A==";
  return key;
}

}  // namespace

bool WsClient::Connect(const std::string& host, uint16_t port, const std::string& path,
                       const std::vector<std::string>& protocols, int timeoutMs) {
  fd_ = ConnectTcp(host, port, timeoutMs);
  if (fd_ < 0) {
    error_ = "connect failed";
    return false;
  }
  std::string request = "GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + std::to_string(port) +
                        "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                        "Sec-WebSocket-Key: " +
                        RandomKey(random_) + "\r\n";
  if (!protocols.empty()) {
    request += "Sec-WebSocket-Protocol: ";
    for (size_t i = 0; i < protocols.size(); ++i) request += (i ? ", " : "") + protocols[i];
    request += "\r\n";
  }
  request += "\r\n";
  if (!SendAll(fd_, request.data(), request.size(), timeoutMs)) {
    error_ = "handshake not sent";
    Close();
    return false;
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
  while (in_.find("\r\n\r\n") == std::string::npos) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{fd_, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) != 1) {
      error_ = "no handshake answer";
      Close();
      return false;
    }
    char buffer[4096];
    const ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0 || in_.size() > 65536) {
      error_ = "handshake closed";
      Close();
      return false;
    }
    in_.append(buffer, static_cast<size_t>(n));
  }
  const size_t end = in_.find("\r\n\r\n");
  if (in_.rfind("HTTP/1.1 101", 0) != 0) {
    error_ = "upgrade answered: " + in_.substr(0, in_.find("\r\n"));
    Close();
    return false;
  }
  in_.erase(0, end + 4);
  Parse();
  return true;
}

void WsClient::Read() {
  if (fd_ < 0) return;
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
    if (n > 0) {
      in_.append(buffer, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) break;
    if (closeCode_ == 0) closeCode_ = 1006;  // closed without a close frame
    break;
  }
  Parse();
}

void WsClient::Parse() {
  for (;;) {
    if (in_.size() < 2) return;
    const auto* d = reinterpret_cast<const uint8_t*>(in_.data());
    const bool fin = (d[0] & 0x80) != 0;
    const uint8_t opcode = d[0] & 0x0f;
    const bool masked = (d[1] & 0x80) != 0;
    uint64_t length = d[1] & 0x7f;
    size_t offset = 2;
    if (length == 126) {
      if (in_.size() < 4) return;
      length = (uint64_t{d[2]} << 8) | d[3];
      offset = 4;
    } else if (length == 127) {
      if (in_.size() < 10) return;
      length = 0;
      for (int i = 0; i < 8; ++i) length = (length << 8) | d[2 + i];
      offset = 10;
    }
    if (length > kMaxMessage || fragments_.size() + length > kMaxMessage) {
      error_ = "frame too large";
      closeCode_ = 1009;
      in_.clear();
      return;
    }
    const size_t maskOffset = offset;
    if (masked) offset += 4;
    if (in_.size() < offset + length) return;
    std::string payload = in_.substr(offset, static_cast<size_t>(length));
    if (masked) {
      for (size_t i = 0; i < payload.size(); ++i)
        payload[i] = static_cast<char>(payload[i] ^ d[maskOffset + (i & 3)]);
    }
    in_.erase(0, offset + static_cast<size_t>(length));
    if (opcode == 0x8) {
      closeCode_ = payload.size() >= 2 ? static_cast<uint16_t>((static_cast<uint8_t>(payload[0]) << 8) |
                                                               static_cast<uint8_t>(payload[1]))
                                       : 1005;
    } else if (opcode == 0x9) {
      SendFrame(0xA, {reinterpret_cast<const uint8_t*>(payload.data()), payload.size()});
    } else if (opcode == 0x0 || opcode == 0x1 || opcode == 0x2) {
      fragments_ += payload;
      if (fin) {
        messages_.push_back(std::move(fragments_));
        fragments_.clear();
      }
    }
  }
}

std::optional<std::string> WsClient::Next() {
  if (messages_.empty()) return std::nullopt;
  std::string m = std::move(messages_.front());
  messages_.pop_front();
  return m;
}

bool WsClient::SendFrame(uint8_t opcode, std::span<const uint8_t> payload) {
  if (fd_ < 0) return false;
  std::string frame;
  frame += static_cast<char>(0x80 | opcode);
  const size_t n = payload.size();
  if (n < 126) {
    frame += static_cast<char>(0x80 | n);
  } else if (n < 65536) {
    frame += static_cast<char>(0x80 | 126);
    frame += static_cast<char>(n >> 8);
    frame += static_cast<char>(n & 0xff);
  } else {
    frame += static_cast<char>(0x80 | 127);
    for (int i = 7; i >= 0; --i) frame += static_cast<char>((static_cast<uint64_t>(n) >> (8 * i)) & 0xff);
  }
  uint8_t mask[4];
  for (uint8_t& m : mask) m = static_cast<uint8_t>(random_());
  frame.append(reinterpret_cast<const char*>(mask), 4);
  for (size_t i = 0; i < n; ++i) frame += static_cast<char>(payload[i] ^ mask[i & 3]);
  return SendAll(fd_, frame.data(), frame.size(), 5000);
}

void WsClient::Close() {
  if (fd_ < 0) return;
  if (closeCode_ == 0) {
    const uint8_t normal[2] = {0x03, 0xe8};
    SendFrame(0x8, normal);
  }
  ::close(fd_);
  fd_ = -1;
}

}  // namespace medicall::bench::load
