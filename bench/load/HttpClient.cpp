#include "HttpClient.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace medicall::bench::load {

std::optional<HttpUrl> HttpUrl::Parse(const std::string& url) {
  HttpUrl u;
  std::string rest;
  if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else if (url.rfind("ws://", 0) == 0) {
    rest = url.substr(5);
  } else {
    return std::nullopt;
  }
  const size_t slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  u.path = slash == std::string::npos ? "/" : rest.substr(slash);
  const size_t colon = authority.rfind(':');
  u.host = authority.substr(0, colon);
  if (colon != std::string::npos) {
    const std::string port = authority.substr(colon + 1);
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535)
      return std::nullopt;
    u.port = static_cast<uint16_t>(value);
  }
  if (u.host.empty()) return std::nullopt;
  return u;
}

int ConnectTcp(const std::string& host, uint16_t port, int timeoutMs) {
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0 || found == nullptr)
    return -1;
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  int result = fd < 0 ? -1 : ::connect(fd, found->ai_addr, found->ai_addrlen);
  ::freeaddrinfo(found);
  if (fd < 0) return -1;
  if (result != 0 && errno == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    int error = 0;
    socklen_t length = sizeof(error);
    if (::poll(&p, 1, timeoutMs) == 1 && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 &&
        error == 0)
      result = 0;
  }
  if (result != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool SendAll(int fd, const char* data, size_t size, int timeoutMs) {
  size_t sent = 0;
  while (sent < size) {
    const ssize_t n = ::send(fd, data + sent, size - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
      pollfd p{fd, POLLOUT, 0};
      if (::poll(&p, 1, timeoutMs) != 1) return false;
    } else {
      return false;
    }
  }
  return true;
}

HttpResponse HttpRequest(const HttpUrl& url, const std::string& method, const std::string& body,
                         const std::string& contentType, int timeoutMs) {
  HttpResponse response;
  const int fd = ConnectTcp(url.host, url.port, timeoutMs);
  if (fd < 0) {
    response.error = "connect to " + url.host + ":" + std::to_string(url.port) + " failed";
    return response;
  }
  std::string request = method + " " + url.path + " HTTP/1.1\r\nHost: " + url.host + ":" +
                        std::to_string(url.port) + "\r\nConnection: close\r\nAccept: application/json\r\n";
  if (!body.empty() || method == "POST") {
    request += "Content-Type: " + contentType + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  request += "\r\n" + body;
  if (!SendAll(fd, request.data(), request.size(), timeoutMs)) {
    ::close(fd);
    response.error = "request not sent";
    return response;
  }
  std::string raw;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
  size_t headerEnd = std::string::npos;
  size_t contentLength = std::string::npos;
  char buffer[16384];
  for (;;) {
    if (headerEnd != std::string::npos && contentLength != std::string::npos &&
        raw.size() >= headerEnd + 4 + contentLength)
      break;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      response.error = "response timed out";
      break;
    }
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) != 1) continue;
    const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) break;  // EOF: the body ends here
    raw.append(buffer, static_cast<size_t>(n));
    if (headerEnd == std::string::npos && (headerEnd = raw.find("\r\n\r\n")) != std::string::npos) {
      std::string head = raw.substr(0, headerEnd);
      for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      const size_t at = head.find("\r\ncontent-length:");
      if (at != std::string::npos) contentLength = std::strtoul(head.c_str() + at + 17, nullptr, 10);
    }
  }
  ::close(fd);
  if (headerEnd == std::string::npos) {
    if (response.error.empty()) response.error = "no HTTP response";
    return response;
  }
  if (raw.rfind("HTTP/1.", 0) == 0 && raw.size() > 12) response.status = std::atoi(raw.c_str() + 9);
  response.body = raw.substr(headerEnd + 4);
  if (contentLength != std::string::npos && response.body.size() > contentLength)
    response.body.resize(contentLength);
  return response;
}

}  // namespace medicall::bench::load
