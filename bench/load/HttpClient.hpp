#pragma once
// Blocking HTTP/1.1 over plain TCP for the load generator's set-up calls (POST /join, Janus's REST API):
// one request per connection (Connection: close), the response read until Content-Length or EOF.
// Not on any media path; a failure is a message, never an exception.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace medicall::bench::load {

struct HttpUrl {
  std::string host;
  uint16_t port = 80;
  std::string path = "/";  // with the query, if any
  // http://host[:port][/path] or ws://...; nullopt for anything else.
  static std::optional<HttpUrl> Parse(const std::string& url);
};

struct HttpResponse {
  int status = 0;  // 0: no response (the error says why)
  std::string body;
  std::string error;
};

HttpResponse HttpRequest(const HttpUrl& url, const std::string& method, const std::string& body,
                         const std::string& contentType = "application/json", int timeoutMs = 10000);

// Writes all of data to a non-blocking socket (waiting up to timeoutMs each time it is full).
bool SendAll(int fd, const char* data, size_t size, int timeoutMs);

// A connected TCP socket to host:port (IPv4 literal or resolvable name), or -1.
int ConnectTcp(const std::string& host, uint16_t port, int timeoutMs);

}  // namespace medicall::bench::load
