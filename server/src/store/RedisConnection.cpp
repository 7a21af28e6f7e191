#include "store/RedisConnection.hpp"

#include <hiredis/hiredis.h>
#include <openssl/sha.h>

#include <charconv>
#include <cstdio>
#include <stdexcept>

#include "common/ApiError.hpp"
#include "store/RedisSocket.hpp"

namespace medicall::store {

namespace {

constexpr std::chrono::milliseconds kReconnectInterval{500};

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
                                                  std::string& error, const RedisTlsFiles& tlsFiles) {
  const bool tls = url.rfind("rediss://", 0) == 0;
  if (!tls && url.rfind("redis://", 0) != 0) {
    error =
        "MEDICALL_REDIS_URL must start with redis:// or rediss:// (TLS): redis[s]://[:password@]host:port/db";
    return std::nullopt;
  }
  if (!tls && tlsFiles.Any()) {
    error =
        "MEDICALL_REDIS_CA_FILE, MEDICALL_REDIS_CERT_FILE and MEDICALL_REDIS_KEY_FILE are for rediss:// "
        "(TLS), but MEDICALL_REDIS_URL is redis:// (in the clear)";
    return std::nullopt;
  }
  RedisEndpoint e;
  std::string rest = url.substr(tls ? 9 : 8);
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
  if (tls) {
    e.tls = RedisTlsContext::Load(tlsFiles, error);
    if (!e.tls) return std::nullopt;
  }
  return e;
}

std::optional<RedisEndpoint> RedisEndpoint::FromConfig(const Config& config) {
  if (config.redisUrl.empty()) return std::nullopt;
  std::string error;
  auto endpoint = Parse(config.redisUrl, config.redisPassword, error,
                        {config.redisCaFile, config.redisCertFile, config.redisKeyFile});
  if (!endpoint) throw std::runtime_error(error);
  return endpoint;
}

std::string RedisEndpoint::Describe() const {
  return host + ":" + std::to_string(port) + "/" + std::to_string(db);
}

RedisConnection::RedisConnection(RedisEndpoint endpoint, std::chrono::milliseconds timeout)
    : endpoint_(std::move(endpoint)), timeout_(timeout) {}

RedisConnection::~RedisConnection() { Disconnect(); }

void RedisConnection::Disconnect() {
  socket_.reset();
  if (reader_ != nullptr) redisReaderFree(reader_);
  reader_ = nullptr;
  output_.clear();
}

void RedisConnection::Lost(const std::string& what, const std::string& detail) {
  Disconnect();
  nextAttempt_ = std::chrono::steady_clock::now() + kReconnectInterval;
  throw ServiceUnavailable("The state store (Redis at " + endpoint_.Describe() + ") is unavailable: " + what +
                           ": " + detail);
}

void RedisConnection::Connect() {
  if (socket_ != nullptr) return;
  const auto now = std::chrono::steady_clock::now();
  if (now < nextAttempt_)
    throw ServiceUnavailable("The state store (Redis at " + endpoint_.Describe() + ") is unavailable.");
  try {
    socket_ = std::make_unique<RedisSocket>(endpoint_.host, endpoint_.port, endpoint_.tls.get(), timeout_);
  } catch (const RedisSocket::Error& e) {
    Lost("connect", e.what());
  }
  reader_ = redisReaderCreate();
  if (reader_ == nullptr) Lost("connect", "out of memory");
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
  char* formatted = nullptr;
  const int length =
      redisFormatCommandArgv(&formatted, static_cast<int>(args.size()), args.data(), lengths.data());
  if (length < 0 || formatted == nullptr) Lost("write", "out of memory");
  output_.append(formatted, static_cast<size_t>(length));
  redisFreeCommand(formatted);
}

void RedisConnection::Flush() {
  try {
    socket_->Write(output_, timeout_);
  } catch (const RedisSocket::Error& e) {
    Lost("write", e.what());
  }
  output_.clear();
}

redisReply* RedisConnection::Receive(std::chrono::milliseconds wait) {
  // An idle timeout, as hiredis's socket timeout was: a long reply that keeps arriving is not cut.
  auto deadline = std::chrono::steady_clock::now() + wait;
  char buffer[16 * 1024];
  for (;;) {
    void* reply = nullptr;
    if (redisReaderGetReply(reader_, &reply) != REDIS_OK)
      Lost("read", std::string("not a Redis reply: ") + reader_->errstr);
    if (reply != nullptr) return static_cast<redisReply*>(reply);
    const auto left = std::max(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()),
        std::chrono::milliseconds(0));
    size_t n = 0;
    try {
      n = socket_->Read(buffer, sizeof(buffer), left);
    } catch (const RedisSocket::Error& e) {
      Lost("read", e.what());
    }
    if (n == 0) return nullptr;
    if (redisReaderFeed(reader_, buffer, n) != REDIS_OK) Lost("read", "out of memory");
    deadline = std::chrono::steady_clock::now() + wait;
  }
}

RedisValue RedisConnection::ReadReply() {
  redisReply* reply = Receive(timeout_);
  if (reply == nullptr) Lost("read", "no reply within " + std::to_string(timeout_.count()) + " ms");
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
  Flush();
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
  redisReply* reply = Receive(timeout);  // a reply already buffered is returned without reading
  if (reply == nullptr) return std::nullopt;
  RedisValue value = Copy(reply);
  freeReplyObject(reply);
  return value;
}

}  // namespace medicall::store
