#pragma once
// One TCP connection to Redis for RedisConnection, in the clear (redis://) or TLS (rediss://):
// bytes out and in, every wait bounded by a timeout. What the bytes mean is hiredis's business (its
// command formatter and reply reader); this only moves them. The socket is non-blocking and waited
// on with poll, partial reads and writes are carried on, and a write to a connection Redis closed
// fails with EPIPE instead of raising SIGPIPE (send with MSG_NOSIGNAL, under TLS too: OpenSSL writes
// through a BIO of ours). Not thread-safe: one user at a time.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

struct ssl_st;

namespace medicall::store {

class RedisTlsContext;

class RedisSocket {
 public:
  struct Error : std::runtime_error {
    using std::runtime_error::runtime_error;
  };

  // Connects to host:port (each address the name resolves to, in turn) and, with `tls`, completes
  // the TLS handshake, verifying the server's certificate and that it names `host`; all within
  // `timeout`. Throws Error with the reason, for TLS "MEDICALL_REDIS_URL: TLS handshake with
  // host:port failed: certificate verify failed: <OpenSSL's reason>" and the like.
  RedisSocket(const std::string& host, uint16_t port, const RedisTlsContext* tls,
              std::chrono::milliseconds timeout);
  ~RedisSocket();
  RedisSocket(const RedisSocket&) = delete;
  RedisSocket& operator=(const RedisSocket&) = delete;

  // Writes all of `bytes`, or throws Error; fails when no part of them went out for `timeout`.
  void Write(std::string_view bytes, std::chrono::milliseconds timeout);
  // Up to `size` bytes of what arrives within `timeout`: their count, 0 when nothing came in time.
  // Throws Error when Redis closed the connection or it failed.
  size_t Read(char* buffer, size_t size, std::chrono::milliseconds timeout);

 private:
  using Deadline = std::chrono::steady_clock::time_point;
  void ConnectTcp(const std::string& host, uint16_t port, Deadline deadline);
  void Handshake(const std::string& host, uint16_t port, const RedisTlsContext& tls, Deadline deadline);
  // Waits for POLLIN or POLLOUT; false when the deadline passed first.
  bool Wait(short events, Deadline deadline) const;
  // Waits for what a TLS call that returned `result` asks for; false on timeout, throws on failure.
  bool WaitForTls(int result, Deadline deadline, const char* what);
  [[noreturn]] void Fail(const std::string& what);

  int fd_ = -1;
  ssl_st* ssl_ = nullptr;
  bool failed_ = false;  // after a fatal TLS error no close_notify is sent
};

}  // namespace medicall::store
