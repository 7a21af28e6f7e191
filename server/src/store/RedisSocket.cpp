#include "store/RedisSocket.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "store/RedisTlsContext.hpp"

namespace medicall::store {

namespace {

// TCP keep-alive as hiredis sets it: a dead peer is noticed within about half a minute.
constexpr int kKeepAliveIdleSeconds = 15;
constexpr int kKeepAliveIntervalSeconds = 5;
constexpr int kKeepAliveProbes = 3;

int SocketOf(BIO* bio) { return static_cast<int>(reinterpret_cast<intptr_t>(BIO_get_data(bio))); }

// The BIO OpenSSL reads and writes the socket through: send with MSG_NOSIGNAL (OpenSSL's own
// socket BIO uses write(2), which raises SIGPIPE on a connection the peer closed).
int BioWrite(BIO* bio, const char* data, size_t size, size_t* written) {
  BIO_clear_retry_flags(bio);
  for (;;) {
    const ssize_t n = ::send(SocketOf(bio), data, size, MSG_NOSIGNAL);
    if (n >= 0) {
      *written = static_cast<size_t>(n);
      return 1;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) BIO_set_retry_write(bio);
    return 0;
  }
}

int BioRead(BIO* bio, char* data, size_t size, size_t* read) {
  BIO_clear_retry_flags(bio);
  for (;;) {
    const ssize_t n = ::recv(SocketOf(bio), data, size, 0);
    if (n > 0) {
      *read = static_cast<size_t>(n);
      return 1;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) BIO_set_retry_read(bio);
    return 0;  // end of stream (n == 0) or an error: no retry
  }
}

long BioCtrl(BIO*, int command, long, void*) { return command == BIO_CTRL_FLUSH ? 1 : 0; }

BIO_METHOD* SocketBioMethod() {
  static BIO_METHOD* const method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "medicall redis socket");
    if (m == nullptr) return m;
    BIO_meth_set_write_ex(m, BioWrite);
    BIO_meth_set_read_ex(m, BioRead);
    BIO_meth_set_ctrl(m, BioCtrl);
    return m;
  }();
  return method;
}

// OpenSSL's reason for the last failure, or `fallback` when it gave none.
std::string TlsReason(const char* fallback) {
  const unsigned long code = ERR_peek_last_error();
  ERR_clear_error();
  const char* reason = code != 0 ? ERR_reason_error_string(code) : nullptr;
  return reason != nullptr ? reason : fallback;
}

bool IsIpAddress(const std::string& host) {
  in6_addr v6{};
  in_addr v4{};
  return ::inet_pton(AF_INET, host.c_str(), &v4) == 1 || ::inet_pton(AF_INET6, host.c_str(), &v6) == 1;
}

std::string HostPort(const std::string& host, uint16_t port) {
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

}  // namespace

RedisSocket::RedisSocket(const std::string& host, uint16_t port, const RedisTlsContext* tls,
                         std::chrono::milliseconds timeout) {
  const Deadline deadline = std::chrono::steady_clock::now() + timeout;
  ConnectTcp(host, port, deadline);
  if (tls == nullptr) return;
  try {
    Handshake(host, port, *tls, deadline);
  } catch (...) {
    if (ssl_ != nullptr) SSL_free(ssl_);
    ::close(fd_);
    throw;
  }
}

RedisSocket::~RedisSocket() {
  if (ssl_ != nullptr) {
    if (!failed_) SSL_shutdown(ssl_);  // one close_notify, not waiting for Redis's
    SSL_free(ssl_);
    ERR_clear_error();
  }
  if (fd_ >= 0) ::close(fd_);
}

void RedisSocket::ConnectTcp(const std::string& host, uint16_t port, Deadline deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0)
    throw Error("cannot resolve " + host + ": " + ::gai_strerror(rc));
  const std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses(found, &::freeaddrinfo);
  std::string lastError = "no address";
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
    fd_ = ::socket(a->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
      lastError = std::strerror(errno);
      continue;
    }
    int error = 0;
    if (::connect(fd_, a->ai_addr, a->ai_addrlen) != 0) {
      error = errno;
      if (error == EINPROGRESS) {
        if (!Wait(POLLOUT, deadline)) {
          error = ETIMEDOUT;
        } else {
          socklen_t length = sizeof(error);
          if (::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &length) != 0) error = errno;
        }
      }
    }
    if (error == 0) {
      const int on = 1;
      ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
      ::setsockopt(fd_, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
      ::setsockopt(fd_, IPPROTO_TCP, TCP_KEEPIDLE, &kKeepAliveIdleSeconds, sizeof(int));
      ::setsockopt(fd_, IPPROTO_TCP, TCP_KEEPINTVL, &kKeepAliveIntervalSeconds, sizeof(int));
      ::setsockopt(fd_, IPPROTO_TCP, TCP_KEEPCNT, &kKeepAliveProbes, sizeof(int));
      return;
    }
    lastError = error == ETIMEDOUT ? "connect timed out" : std::strerror(error);
    ::close(fd_);
    fd_ = -1;
  }
  throw Error("connect to " + HostPort(host, port) + ": " + lastError);
}

void RedisSocket::Handshake(const std::string& host, uint16_t port, const RedisTlsContext& tls,
                            Deadline deadline) {
  const std::string prefix = "MEDICALL_REDIS_URL: TLS handshake with " + HostPort(host, port) + " failed: ";
  ERR_clear_error();
  ssl_ = SSL_new(tls.Native());
  BIO* bio = ssl_ != nullptr ? BIO_new(SocketBioMethod()) : nullptr;
  if (bio == nullptr) throw Error(prefix + TlsReason("out of memory"));
  BIO_set_data(bio, reinterpret_cast<void*>(static_cast<intptr_t>(fd_)));
  BIO_set_init(bio, 1);
  SSL_set_bio(ssl_, bio, bio);
  // The certificate must name the URL's host: an IP address in its subjectAltName for an address,
  // else a DNS name (also sent as SNI).
  const bool named =
      IsIpAddress(host)
          ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), host.c_str()) == 1
          : SSL_set_tlsext_host_name(ssl_, host.c_str()) == 1 && SSL_set1_host(ssl_, host.c_str()) == 1;
  if (!named) throw Error(prefix + "cannot check the certificate against " + host);
  SSL_set_connect_state(ssl_);
  for (;;) {
    ERR_clear_error();
    const int result = SSL_connect(ssl_);
    if (result == 1) return;
    const int error = SSL_get_error(ssl_, result);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
      if (!Wait(error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline))
        throw Error(prefix + "no answer in time (is it a TLS port?)");
      continue;
    }
    failed_ = true;
    const long verify = SSL_get_verify_result(ssl_);
    if (verify != X509_V_OK)
      throw Error(prefix + "certificate verify failed: " + X509_verify_cert_error_string(verify));
    if (error == SSL_ERROR_SYSCALL && ERR_peek_last_error() == 0)
      throw Error(prefix + "the connection was closed (is it a TLS port?)");
    throw Error(prefix + TlsReason("unknown error") + " (is it a TLS port?)");
  }
}

bool RedisSocket::Wait(short events, Deadline deadline) const {
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{fd_, events, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(std::max<int64_t>(left.count(), 0)));
    if (ready > 0) return true;  // readable, writable, or an error the next call reports
    if (ready == 0) return false;
    if (errno != EINTR) return true;
  }
}

void RedisSocket::Fail(const std::string& what) {
  failed_ = true;
  throw Error(what);
}

bool RedisSocket::WaitForTls(int result, Deadline deadline, const char* what) {
  const int error = SSL_get_error(ssl_, result);
  if (error == SSL_ERROR_WANT_READ) return Wait(POLLIN, deadline);
  if (error == SSL_ERROR_WANT_WRITE) return Wait(POLLOUT, deadline);
  if (error == SSL_ERROR_ZERO_RETURN) Fail("Redis closed the connection");
  if (error == SSL_ERROR_SYSCALL && ERR_peek_last_error() == 0)
    Fail(std::string(what) + ": " + (errno != 0 ? std::strerror(errno) : "connection closed"));
  Fail(std::string(what) + ": " + TlsReason("TLS error"));
}

void RedisSocket::Write(std::string_view bytes, std::chrono::milliseconds timeout) {
  Deadline deadline = std::chrono::steady_clock::now() + timeout;  // renewed by each part written
  size_t done = 0;
  while (done < bytes.size()) {
    if (ssl_ != nullptr) {
      ERR_clear_error();
      errno = 0;
      size_t n = 0;
      const int result = SSL_write_ex(ssl_, bytes.data() + done, bytes.size() - done, &n);
      if (result == 1) {
        done += n;
        deadline = std::chrono::steady_clock::now() + timeout;
        continue;
      }
      if (!WaitForTls(result, deadline, "write")) Fail("write timed out");
      continue;
    }
    const ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n >= 0) {
      done += static_cast<size_t>(n);
      deadline = std::chrono::steady_clock::now() + timeout;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!Wait(POLLOUT, deadline)) Fail("write timed out");
    } else if (errno != EINTR) {
      Fail(std::string("write: ") + std::strerror(errno));
    }
  }
}

size_t RedisSocket::Read(char* buffer, size_t size, std::chrono::milliseconds timeout) {
  const Deadline deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (ssl_ != nullptr) {
      ERR_clear_error();
      errno = 0;
      size_t n = 0;
      const int result = SSL_read_ex(ssl_, buffer, size, &n);
      if (result == 1) return n;
      if (!WaitForTls(result, deadline, "read")) return 0;
      continue;
    }
    const ssize_t n = ::recv(fd_, buffer, size, 0);
    if (n > 0) return static_cast<size_t>(n);
    if (n == 0) Fail("Redis closed the connection");
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!Wait(POLLIN, deadline)) return 0;
    } else if (errno != EINTR) {
      Fail(std::string("read: ") + std::strerror(errno));
    }
  }
}

}  // namespace medicall::store
