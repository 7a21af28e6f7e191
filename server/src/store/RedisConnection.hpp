#pragma once
// One synchronous connection to Redis, with the address parsed from MEDICALL_REDIS_URL: in the
// clear (redis://) or TLS (rediss://). hiredis formats the commands and parses the replies; the bytes
// travel through a RedisSocket of ours, since Debian's hiredis 0.14 has no TLS.
// Not thread-safe: each user holds its own, behind its own mutex. A command that cannot reach
// Redis throws ServiceUnavailable (HTTP 503 ServiceUnavailableException in the APIs) and drops the
// connection; the next command reconnects (at most one attempt per reconnect interval, so an
// outage costs a request one short timeout, not a pile-up). Redis error replies throw
// std::runtime_error with Redis's message.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/Config.hpp"
#include "store/RedisTlsContext.hpp"

struct redisReader;
struct redisReply;

namespace medicall::store {

struct RedisEndpoint {
  std::string host = "127.0.0.1";
  uint16_t port = 6379;
  int db = 0;
  std::string user;      // ACL user from the URL ("" = default)
  std::string password;  // from the URL, else MEDICALL_REDIS_PASSWORD
  // rediss://: TLS, the server's certificate verified and its name checked against `host`; null:
  // in the clear. Never a fallback from one to the other.
  std::shared_ptr<const RedisTlsContext> tls;

  // redis[s]://[[user]:password@]host[:port][/db]; `tlsFiles` (CA, client certificate and key) only
  // with rediss://. Returns nullopt and fills `error` on bad input or TLS files that do not load.
  static std::optional<RedisEndpoint> Parse(const std::string& url, const std::string& passwordSetting,
                                            std::string& error, const RedisTlsFiles& tlsFiles = {});
  std::string Describe() const;  // host:port/db, never the password
  // From the settings (MEDICALL_REDIS_URL, _PASSWORD, _CA_FILE, _CERT_FILE, _KEY_FILE): nullopt when no
  // URL is set; throws std::runtime_error with the reason when they are unusable. The one place every
  // Redis user of the process (store, clinic store, CLI) reads them.
  static std::optional<RedisEndpoint> FromConfig(const Config& config);
};

// A reply tree, copied out of hiredis so nothing outlives its freeReplyObject.
struct RedisValue {
  enum class Kind { kNil, kString, kInteger, kArray, kStatus };
  Kind kind = Kind::kNil;
  std::string text;  // kString, kStatus
  long long integer = 0;
  std::vector<RedisValue> elements;  // kArray

  bool IsNil() const { return kind == Kind::kNil; }
};

class RedisSocket;

class RedisConnection {
 public:
  RedisConnection(RedisEndpoint endpoint, std::chrono::milliseconds timeout);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Connects (AUTH, SELECT) if not connected. Throws ServiceUnavailable when Redis cannot be reached.
  void Connect();
  bool Connected() const { return socket_ != nullptr; }
  RedisValue Command(const std::vector<std::string>& argv);
  // Several commands in one round trip; the replies in order. An error reply in any throws.
  std::vector<RedisValue> Pipeline(const std::vector<std::vector<std::string>>& commands);
  // EVALSHA with a fallback to EVAL when the script is not cached (after a Redis restart).
  RedisValue Script(const std::string& body, const std::vector<std::string>& keys,
                    const std::vector<std::string>& args);
  // Waits up to `timeout` for one pushed message (SUBSCRIBE mode); nullopt on timeout.
  std::optional<RedisValue> ReadPush(std::chrono::milliseconds timeout);
  const RedisEndpoint& Endpoint() const { return endpoint_; }

 private:
  void Disconnect();
  [[noreturn]] void Lost(const std::string& what, const std::string& detail);
  void Append(const std::vector<std::string>& argv);
  void Flush();
  // The next reply; nullptr when nothing arrived for `wait`.
  redisReply* Receive(std::chrono::milliseconds wait);
  RedisValue ReadReply();

  RedisEndpoint endpoint_;
  std::chrono::milliseconds timeout_;  // connect (with the TLS handshake); then silence in a read or write
  std::unique_ptr<RedisSocket> socket_;
  redisReader* reader_ = nullptr;  // hiredis's reply parser for this connection
  std::string output_;             // formatted commands not yet written
  std::chrono::steady_clock::time_point nextAttempt_{};
};

}  // namespace medicall::store
