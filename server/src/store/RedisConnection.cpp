#include "store/RedisConnection.hpp"

#include <hiredis/hiredis.h>
#include <openssl/sha.h>
#include <poll.h>

#include <charconv>
#include <cstdio>
#include <stdexcept>

#include "common/ApiError.hpp"

namespace medicall::store {

namespace {

constexpr std::chrono::milliseconds kReconnectInterval{500};

timeval ToTimeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

RedisValue Copy(const redisReply* r) {
  RedisValue v;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      v.kind = RedisValue::Kind::kString;
      v.text.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      v.kind = RedisValue::Kind::kStatus;
      v.text.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      v.kind = RedisValue::Kind::kInteger;
      v.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      v.kind = RedisValue::Kind::kArray;
      v.elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) v.elements.push_back(Copy(r->element[i]));
      break;
    default:
      break;
  }
  return v;
}

std::string Sha1Hex(const std::string& text) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  std::string hex;
  char buffer[3];
  for (unsigned char b : digest) {
    std::snprintf(buffer, sizeof(buffer), "%02x", b);
    hex += buffer;
  }
  return hex;
}

// An error reply, thrown once the whole pipeline has been read (the connection stays in step).
struct ErrorReply {
  std::string message;
};

}  // namespace

std::optional<RedisEndpoint> RedisEndpoint::Parse(const std::string& url, const std::string& passwordSetting,
                                                  std::string& error) {
  if (url.rfind("rediss://", 0) == 0) {
    error =
        "MEDICALL_REDIS_URL: rediss:// (TLS) is not supported: Debian's hiredis 0.14 is built without TLS; "
        "use "
        "redis:// on a private network, or a TLS tunnel (stunnel, spiped) to Redis";
    return std::nullopt;
  }
  if (url.rfind("redis://", 0) != 0) {
    error = "MEDICALL_REDIS_URL must start with redis:// (redis://[:password@]host:port/db)";
    return std::nullopt;
  }
  RedisEndpoint e;
  std::string rest = url.substr(8);
  if (const auto at = rest.rfind('@'); at != std::string::npos) {
    const std::string auth = rest.substr(0, at);
    rest = rest.substr(at + 1);
    if (const auto colon = auth.find(':'); colon != std::string::npos) {
      e.user = auth.substr(0, colon);
      e.password = auth.substr(colon + 1);
    } else {
      e.password = auth;
    }
  }
  if (e.password.empty()) e.password = passwordSetting;
  std::string hostPort = rest;
  if (const auto slash = rest.find('/'); slash != std::string::npos) {
    hostPort = rest.substr(0, slash);
    const std::string db = rest.substr(slash + 1);
    if (!db.empty()) {
      const auto [p, ec] = std::from_chars(db.data(), db.data() + db.size(), e.db);
      if (ec != std::errc() || p != db.data() + db.size() || e.db < 0 || e.db > 15) {
        error = "MEDICALL_REDIS_URL: the database number must be 0-15";
        return std::nullopt;
      }
    }
  }
  std::string port;
  if (!hostPort.empty() && hostPort.front() == '[') {
    const auto close = hostPort.find(']');
    if (close == std::string::npos) {
      error = "MEDICALL_REDIS_URL: unterminated [IPv6] host";
      return std::nullopt;
    }
    e.host = hostPort.substr(1, close - 1);
    if (close + 1 < hostPort.size() && hostPort[close + 1] == ':') port = hostPort.substr(close + 2);
  } else if (const auto colon = hostPort.rfind(':'); colon != std::string::npos) {
    e.host = hostPort.substr(0, colon);
    port = hostPort.substr(colon + 1);
  } else {
    e.host = hostPort;
  }
  if (e.host.empty()) {
    error = "MEDICALL_REDIS_URL: missing host";
    return std::nullopt;
  }
  if (!port.empty()) {
    int value = 0;
    const auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || p != port.data() + port.size() || value < 1 || value > 65535) {
      error = "MEDICALL_REDIS_URL: the port must be 1-65535";
      return std::nullopt;
    }
    e.port = static_cast<uint16_t>(value);
  }
  return e;
}

std::string RedisEndpoint::Describe() const {
  return host + ":" + std::to_string(port) + "/" + std::to_string(db);
}

RedisConnection::RedisConnection(RedisEndpoint endpoint, std::chrono::milliseconds timeout)
    : endpoint_(std::move(endpoint)), timeout_(timeout) {}

RedisConnection::~RedisConnection() { Disconnect(); }

void RedisConnection::Disconnect() {
  if (context_ != nullptr) redisFree(context_);
  context_ = nullptr;
}

void RedisConnection::Lost(const std::string& what) {
  const std::string detail = context_ != nullptr && context_->err != 0 ? context_->errstr : "no connection";
  Disconnect();
  nextAttempt_ = std::chrono::steady_clock::now() + kReconnectInterval;
  throw ServiceUnavailable("The state store (Redis at " + endpoint_.Describe() + ") is unavailable: " + what +
                           ": " + detail);
}

void RedisConnection::Connect() {
  if (context_ != nullptr) return;
  const auto now = std::chrono::steady_clock::now();
  if (now < nextAttempt_)
    throw ServiceUnavailable("The state store (Redis at " + endpoint_.Describe() + ") is unavailable.");
  context_ = redisConnectWithTimeout(endpoint_.host.c_str(), endpoint_.port, ToTimeval(timeout_));
  if (context_ == nullptr || context_->err != 0) Lost("connect");
  redisSetTimeout(context_, ToTimeval(timeout_));
  redisEnableKeepAlive(context_);
  try {
    if (!endpoint_.password.empty()) {
      if (endpoint_.user.empty())
        Command({"AUTH", endpoint_.password});
      else
        Command({"AUTH", endpoint_.user, endpoint_.password});
    }
    if (endpoint_.db != 0) Command({"SELECT", std::to_string(endpoint_.db)});
  } catch (const ServiceUnavailable&) {
    throw;
  } catch (const std::exception& e) {
    Disconnect();
    nextAttempt_ = now + kReconnectInterval;
    throw ServiceUnavailable("The state store (Redis at " + endpoint_.Describe() +
                             ") refused us: " + e.what());
  }
}

void RedisConnection::Append(const std::vector<std::string>& argv) {
  std::vector<const char*> args;
  std::vector<size_t> lengths;
  args.reserve(argv.size());
  lengths.reserve(argv.size());
  for (const auto& a : argv) {
    args.push_back(a.data());
    lengths.push_back(a.size());
  }
  if (redisAppendCommandArgv(context_, static_cast<int>(args.size()), args.data(), lengths.data()) !=
      REDIS_OK)
    Lost("write");
}

RedisValue RedisConnection::ReadReply() {
  void* raw = nullptr;
  if (redisGetReply(context_, &raw) != REDIS_OK || raw == nullptr) Lost("read");
  auto* reply = static_cast<redisReply*>(raw);
  RedisValue value;
  std::optional<ErrorReply> error;
  if (reply->type == REDIS_REPLY_ERROR)
    error = ErrorReply{std::string(reply->str, reply->len)};
  else
    value = Copy(reply);
  freeReplyObject(reply);
  if (error) throw *error;
  return value;
}

RedisValue RedisConnection::Command(const std::vector<std::string>& argv) { return Pipeline({argv}).front(); }

std::vector<RedisValue> RedisConnection::Pipeline(const std::vector<std::vector<std::string>>& commands) {
  Connect();
  for (const auto& c : commands) Append(c);
  std::vector<RedisValue> out;
  out.reserve(commands.size());
  std::optional<std::string> firstError;
  for (size_t i = 0; i < commands.size(); ++i) {
    try {
      out.push_back(ReadReply());
    } catch (const ErrorReply& e) {
      if (!firstError) firstError = e.message;
      out.emplace_back();
    }
  }
  if (firstError) {
    // Redis up but not serving us (wrong or missing password, still loading its AOF, a replica
    // that lost its primary): unavailable for now, not a failed request.
    for (const char* transient : {"NOAUTH", "WRONGPASS", "LOADING", "MASTERDOWN", "READONLY", "BUSY"})
      if (firstError->rfind(transient, 0) == 0)
        throw ServiceUnavailable("The state store (Redis at " + endpoint_.Describe() +
                                 ") is unavailable: " + *firstError);
    throw std::runtime_error("redis: " + *firstError);
  }
  return out;
}

RedisValue RedisConnection::Script(const std::string& body, const std::vector<std::string>& keys,
                                   const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"EVALSHA", Sha1Hex(body), std::to_string(keys.size())};
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.insert(argv.end(), args.begin(), args.end());
  try {
    return Command(argv);
  } catch (const ServiceUnavailable&) {
    throw;
  } catch (const std::runtime_error& e) {
    if (std::string(e.what()).find("NOSCRIPT") == std::string::npos) throw;
  }
  argv[0] = "EVAL";
  argv[1] = body;
  return Command(argv);
}

std::optional<RedisValue> RedisConnection::ReadPush(std::chrono::milliseconds timeout) {
  Connect();
  void* raw = nullptr;
  // A reply already buffered is returned without touching the socket.
  if (redisGetReplyFromReader(context_, &raw) != REDIS_OK) Lost("read");
  if (raw == nullptr) {
    pollfd fd{context_->fd, POLLIN, 0};
    const int ready = ::poll(&fd, 1, static_cast<int>(timeout.count()));
    if (ready == 0) return std::nullopt;
    if (ready < 0) Lost("poll");
    if (redisGetReply(context_, &raw) != REDIS_OK || raw == nullptr) Lost("read");
  }
  auto* reply = static_cast<redisReply*>(raw);
  RedisValue value = Copy(reply);
  freeReplyObject(reply);
  return value;
}

}  // namespace medicall::store
