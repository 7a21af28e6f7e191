#pragma once
// One synchronous connection to Redis (hiredis), with the address parsed from MEDICALL_REDIS_URL.
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

struct redisContext;
struct redisReply;

namespace medicall::store {

struct RedisEndpoint {
  std::string host = "127.0.0.1";
  uint16_t port = 6379;
  int db = 0;
  std::string user;      // ACL user from the URL ("" = default)
  std::string password;  // from the URL, else MEDICALL_REDIS_PASSWORD

  // redis://[[user]:password@]host[:port][/db]. rediss:// (TLS) is refused with a message that says
  // why: Debian's hiredis 0.14 is built without TLS. Returns nullopt and fills `error` on bad input.
  static std::optional<RedisEndpoint> Parse(const std::string& url, const std::string& passwordSetting,
                                            std::string& error);
  std::string Describe() const;  // host:port/db, never the password
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

class RedisConnection {
 public:
  RedisConnection(RedisEndpoint endpoint, std::chrono::milliseconds timeout);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Connects (AUTH, SELECT) if not connected. Throws ServiceUnavailable when Redis cannot be reached.
  void Connect();
  bool Connected() const { return context_ != nullptr; }
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
  [[noreturn]] void Lost(const std::string& what);
  void Append(const std::vector<std::string>& argv);
  RedisValue ReadReply();

  RedisEndpoint endpoint_;
  std::chrono::milliseconds timeout_;
  redisContext* context_ = nullptr;
  std::chrono::steady_clock::time_point nextAttempt_{};
};

}  // namespace medicall::store
