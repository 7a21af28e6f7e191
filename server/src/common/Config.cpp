#include "common/Config.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

namespace medicall {
namespace {

// One row per setting: environment name, flag, help text, and how to apply a value.
struct Setting {
  const char* env;
  const char* flag;  // without leading "--"; nullptr: env only
  const char* help;
  std::function<bool(Config&, const std::string&)> apply;
};

template <typename T>
bool ParseNumber(const std::string& s, T& out, long long lo, long long hi) {
  long long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size() || v < lo || v > hi) return false;
  out = static_cast<T>(v);
  return true;
}

bool IsIpLiteral(const std::string& s) {
  unsigned char buffer[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, s.c_str(), buffer) == 1 || inet_pton(AF_INET6, s.c_str(), buffer) == 1;
}

// http(s)://host[:port] with an optional trailing slash and nothing else.
bool IsBaseUrl(const std::string& url) {
  std::string rest;
  if (url.rfind("https://", 0) == 0) {
    rest = url.substr(8);
  } else if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else {
    return false;
  }
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.empty() || rest.size() > 260) return false;
  for (unsigned char ch : rest) {
    if (!(std::isalnum(ch) || ch == '.' || ch == '-' || ch == ':' || ch == '[' || ch == ']')) return false;
  }
  return rest.front() != ':' && rest.front() != '.';
}

bool ParseBool(const std::string& s, bool& out) {
  if (s == "1" || s == "true" || s == "yes" || s == "on")
    out = true;
  else if (s == "0" || s == "false" || s == "no" || s == "off" || s.empty())
    out = false;
  else
    return false;
  return true;
}

// "https://a.example, http://localhost:5173" -> {"https://a.example", "http://localhost:5173"}: each
// entry a serialized origin (RFC 6454 section 6.2): http or https, a host, an optional port, no path;
// scheme and host lower-cased as browsers send them in the Origin header.
bool ParseOrigins(const std::string& list, std::vector<std::string>& out) {
  std::vector<std::string> origins;
  std::istringstream in(list);
  std::string item;
  while (std::getline(in, item, ',')) {
    const auto b = item.find_first_not_of(" \t");
    if (b == std::string::npos) continue;
    item = item.substr(b, item.find_last_not_of(" \t") - b + 1);
    std::transform(item.begin(), item.end(), item.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    const size_t schemeEnd = item.find("://");
    if (schemeEnd == std::string::npos) return false;
    const std::string scheme = item.substr(0, schemeEnd);
    const std::string host = item.substr(schemeEnd + 3);
    if ((scheme != "http" && scheme != "https") || host.empty() ||
        host.find_first_of("/?#@ ") != std::string::npos) {
      return false;
    }
    origins.push_back(item);
  }
  out = std::move(origins);
  return true;
}

const std::vector<Setting>& Settings() {
  static const std::vector<Setting> settings = {
      {"PORT", "port", "HTTP and WebSocket port (default 3001)",
       [](Config& c, const std::string& v) { return ParseNumber(v, c.port, 1, 65535); }},
      {"MEDICALL_BIND", "bind", "HTTP listen address (default 0.0.0.0)",
       [](Config& c, const std::string& v) {
         c.bindAddress = v;
         return !v.empty();
       }},
      {"MEDICALL_MEDIA_BIND", "media-bind",
       "media listen address, UDP and ICE-TCP (default 0.0.0.0; :: for IPv6 too)",
       [](Config& c, const std::string& v) {
         c.mediaBindAddress = v;
         return IsIpLiteral(v);
       }},
      {"MEDICALL_MEDIA_PORT", "media-port", "UDP media port for all sessions (default 40000)",
       [](Config& c, const std::string& v) { return ParseNumber(v, c.mediaPort, 1, 65535); }},
      {"MEDICALL_PUBLIC_IP", "public-ip",
       "extra addresses in ICE candidates, comma list (default: none; interface addresses are always "
       "offered)",
       [](Config& c, const std::string& v) {
         c.publicIp = v;
         for (const std::string& ip : c.PublicIps())
           if (!IsIpLiteral(ip)) return false;
         return true;
       }},
      {"MEDICALL_PUBLIC_URL", "public-url",
       "external base URL behind a TLS-terminating proxy, e.g. https://clinic.example.org (default: none)",
       [](Config& c, const std::string& v) {
         c.publicUrl = v;
         return v.empty() || IsBaseUrl(v);
       }},
      {"MEDICALL_TRUSTED_PROXIES", "trusted-proxies",
       "addresses or CIDRs whose Forwarded/X-Forwarded-For headers are believed (default: none)",
       [](Config& c, const std::string& v) {
         c.trustedProxies = v;
         return true;  // parsed at start-up, with the reason
       }},
      {"MEDICALL_TURN_URIS", "turn-uris",
       "TURN URIs sent to clients, comma list, e.g. turn:turn.example.org:3478?transport=udp (default: none)",
       [](Config& c, const std::string& v) {
         c.turnUris = v;
         return true;  // each URI is checked at start-up, with the reason
       }},
      {"MEDICALL_TURN_SECRET", nullptr, "coturn's static-auth-secret (TURN REST credentials)",
       [](Config& c, const std::string& v) {
         c.turnSecret = v;
         return true;
       }},
      {"MEDICALL_TURN_TTL_SECONDS", "turn-ttl", "lifetime of TURN credentials in seconds (default 86400)",
       [](Config& c, const std::string& v) { return ParseNumber(v, c.turnTtlSeconds, 60, 86400 * 30); }},
      {"MEDICALL_MEDIA_TCP_PORT", "media-tcp-port", "ICE-TCP media port (default: the media port; 0: off)",
       [](Config& c, const std::string& v) {
         if (v.empty() || v == "-1") {
           c.mediaTcpPort = -1;
           return true;
         }
         return ParseNumber(v, c.mediaTcpPort, 0, 65535);
       }},
      {"MEDICALL_MEDIA_TCP_MAX_CONNECTIONS", "media-tcp-max-connections",
       "open ICE-TCP media connections at most (default 256)",
       [](Config& c, const std::string& v) { return ParseNumber(v, c.mediaTcpMaxConnections, 1, 100000); }},
      {"MEDICALL_OPEN_ROOMS", "open-rooms",
       "1: open rooms (name + room ID, POST /join) on; 0: clinic visits only",
       [](Config& c, const std::string& v) {
         if (v != "0" && v != "1") return false;
         c.openRooms = v == "1";
         return true;
       }},
      {"MEDICALL_CLINIC_SLUG", "clinic-slug",
       "the default clinic's slug: its queue link is /c/<slug> (default clinic)",
       [](Config& c, const std::string& v) {
         c.clinicSlug = v;
         if (v.empty() || v.size() > 64) return false;
         for (unsigned char ch : v)
           if (!(std::isalnum(ch) || ch == '-' || ch == '_')) return false;
         return true;
       }},
      {"MEDICALL_CLINIC_NAME", "clinic-name", "the default clinic's display name (default MediCall clinic)",
       [](Config& c, const std::string& v) {
         c.clinicName = v;
         return !v.empty() && v.size() <= 200;
       }},
      {"MEDICALL_SESSION_IDLE_MINUTES", "session-idle-minutes",
       "a clinician's login ends after this many minutes without a request (default 30)",
       [](Config& c, const std::string& v) { return ParseNumber(v, c.sessionIdleMinutes, 1, 24 * 60); }},
      {"MEDICALL_SESSION_MAX_HOURS", "session-max-hours", "and this many hours after it began (default 12)",
       [](Config& c, const std::string& v) { return ParseNumber(v, c.sessionMaxHours, 1, 24 * 30); }},
      {"MEDICALL_RETENTION_DAYS", "retention-days",
       "visit records are deleted this many days after the visit (default 30; the audit trail stays)",
       [](Config& c, const std::string& v) { return ParseNumber(v, c.retentionDays, 1, 36500); }},
      {"MEDICALL_PUBLIC_HOST", "public-host", "host[:port] in SignalingUrl (default: the request's Host)",
       [](Config& c, const std::string& v) {
         c.publicHost = v;
         return true;
       }},
      {"MEDICALL_DATA_DIR", "data-dir", "data directory (default ./data)",
       [](Config& c, const std::string& v) {
         c.dataDir = v;
         return !v.empty();
       }},
      {"MEDICALL_WEB_DIR", "web-dir", "built web app to serve (default ./web/dist)",
       [](Config& c, const std::string& v) {
         c.webDir = v;
         return !v.empty();
       }},
      {"AWS_REGION", "region", "region of the meetings API (default us-east-1)",
       [](Config& c, const std::string& v) {
         c.awsRegion = v;
         return !v.empty();
       }},
      {"AWS_ACCESS_KEY_ID", nullptr, "access key the meetings API accepts (unset: loopback only, unsigned)",
       [](Config& c, const std::string& v) {
         c.awsAccessKeyId = v;
         return true;
       }},
      {"AWS_SECRET_ACCESS_KEY", nullptr, "secret of that key",
       [](Config& c, const std::string& v) {
         c.awsSecretAccessKey = v;
         return true;
       }},
      {"MEDICALL_SIGV4_SKEW_SECONDS", "sigv4-skew", "allowed SigV4 clock skew in seconds (default 300)",
       [](Config& c, const std::string& v) { return ParseNumber(v, c.sigv4SkewSeconds, 1, 86400); }},
      {"MEDICALL_MAX_ATTENDEES", "max-attendees", "attendees per meeting (default 250)",
       [](Config& c, const std::string& v) { return ParseNumber(v, c.maxAttendees, 1, 100000); }},
      {"MEDICALL_MEETING_IDLE_SECONDS", "meeting-idle",
       "end a meeting with nobody connected after N s (default 300)",
       [](Config& c, const std::string& v) { return ParseNumber(v, c.meetingIdleSeconds, 1, 86400 * 7); }},
      {"MEDICALL_MEETING_MAX_SECONDS", "meeting-max", "longest meeting in seconds (default 86400)",
       [](Config& c, const std::string& v) { return ParseNumber(v, c.meetingMaxSeconds, 1, 86400 * 30); }},
      {"MEDICALL_QUALITY_RETENTION_DAYS", "quality-retention-days",
       "days the call-quality samples of a meeting are kept (default 30)",
       [](Config& c, const std::string& v) { return ParseNumber(v, c.qualityRetentionDays, 1, 3650); }},
      {"MEDICALL_MAX_CONNECTIONS", "max-connections", "concurrent connections (default 1024)",
       [](Config& c, const std::string& v) { return ParseNumber(v, c.maxConnections, 1, 1000000); }},
      {"MEDICALL_MAX_HEADER_BYTES", "max-header-bytes", "request header limit (default 16384)",
       [](Config& c, const std::string& v) { return ParseNumber(v, c.maxHeaderBytes, 1024, 1 << 20); }},
      {"MEDICALL_MAX_BODY_BYTES", "max-body-bytes", "request body limit (default 65536)",
       [](Config& c, const std::string& v) { return ParseNumber(v, c.maxBodyBytes, 1024, 64 << 20); }},
      {"MEDICALL_REQUEST_TIMEOUT_SECONDS", "request-timeout", "per-request read timeout (default 30)",
       [](Config& c, const std::string& v) { return ParseNumber(v, c.requestTimeoutSeconds, 1, 3600); }},
      {"MEDICALL_MEDIA_WORKERS", "media-workers", "media worker threads (default 0: one per core)",
       [](Config& c, const std::string& v) { return ParseNumber(v, c.mediaWorkers, 0, 256); }},
      {"MEDICALL_WORKER_STALL_SECONDS", "worker-stall",
       "/healthz answers 503 when a media loop has not run for N s (default 5)",
       [](Config& c, const std::string& v) { return ParseNumber(v, c.workerStallSeconds, 1, 3600); }},
      {"MEDICALL_SHUTDOWN_DRAIN_SECONDS", "shutdown-drain",
       "on SIGTERM, wait up to N s for in-flight HTTP before closing WebSockets (default 5)",
       [](Config& c, const std::string& v) { return ParseNumber(v, c.shutdownDrainSeconds, 0, 60); }},
      {"MEDICALL_VIDEO_H264", "video-h264",
       "1: H.264 constrained baseline when every attendee decodes it; 0: VP8 only (default 0)",
       [](Config& c, const std::string& v) { return ParseBool(v, c.videoH264); }},
      {"MEDICALL_LOG_LEVEL", "log-level", "debug, info, warn, error or off (default info)",
       [](Config& c, const std::string& v) {
         c.logLevel = v;
         return v == "debug" || v == "info" || v == "warn" || v == "error" || v == "off";
       }},
      {"MEDICALL_TLS_CERT", "tls-cert",
       "PEM certificate chain: PORT serves HTTPS and WSS only (with MEDICALL_TLS_KEY)",
       [](Config& c, const std::string& v) {
         c.tlsCert = v;
         return true;
       }},
      {"MEDICALL_TLS_KEY", "tls-key", "PEM private key of MEDICALL_TLS_CERT (both reloaded on SIGHUP)",
       [](Config& c, const std::string& v) {
         c.tlsKey = v;
         return true;
       }},
      {"MEDICALL_TLS_SELF_SIGNED", "tls-self-signed",
       "1: HTTPS with a self-signed certificate for this machine's addresses (kept in the data dir)",
       [](Config& c, const std::string& v) { return ParseBool(v, c.tlsSelfSigned); }},
      {"MEDICALL_TEST_ECHO", "enable-test-echo", "enable POST /test/echo (tests only; default off)",
       [](Config& c, const std::string& v) { return ParseBool(v, c.testEcho); }},
      {"MEDICALL_CORS_ORIGINS", "cors-origins",
       "origins allowed to call /join, /api/roster, /events (comma separated; default none)",
       [](Config& c, const std::string& v) { return ParseOrigins(v, c.corsOrigins); }},
      {"MEDICALL_REDIS_URL", "redis-url",
       "redis://[:password@]host:port/db (rediss:// for TLS): shared state in Redis, this process one "
       "node of a cluster (default: none, SQLite)",
       [](Config& c, const std::string& v) {
         c.redisUrl = v;
         return true;  // parsed at start-up, with the reason
       }},
      {"MEDICALL_REDIS_PASSWORD", nullptr, "Redis password when MEDICALL_REDIS_URL has none",
       [](Config& c, const std::string& v) {
         c.redisPassword = v;
         return true;
       }},
      {"MEDICALL_REDIS_CA_FILE", "redis-ca-file",
       "PEM CA bundle that signs the Redis server's certificate, for rediss:// (default: the system "
       "trust store)",
       [](Config& c, const std::string& v) {
         c.redisCaFile = v;
         return true;  // loaded at start-up, with the reason
       }},
      {"MEDICALL_REDIS_CERT_FILE", "redis-cert-file",
       "PEM client certificate for rediss:// when Redis asks for one (tls-auth-clients yes)",
       [](Config& c, const std::string& v) {
         c.redisCertFile = v;
         return true;
       }},
      {"MEDICALL_REDIS_KEY_FILE", "redis-key-file", "PEM private key of MEDICALL_REDIS_CERT_FILE",
       [](Config& c, const std::string& v) {
         c.redisKeyFile = v;
         return true;
       }},
      {"MEDICALL_NODE_ID", "node-id", "this node's name in the cluster (default: host name:PORT)",
       [](Config& c, const std::string& v) {
         c.nodeId = v;
         return v.size() <= 128 && v.find_first_of(" \t\r\n") == std::string::npos;
       }},
      {"MEDICALL_NODE_URL", "node-url",
       "http://host:port where the other nodes reach this one (default http://<media address>:PORT)",
       [](Config& c, const std::string& v) {
         c.nodeUrl = v;
         return v.empty() || (v.rfind("http://", 0) == 0 && IsBaseUrl(v));
       }},
      {"MEDICALL_DRAIN_TIMEOUT_SECONDS", "drain-timeout",
       "cluster drain (SIGTERM, POST /admin/drain): meetings go on here at most N s (default 300)",
       [](Config& c, const std::string& v) { return ParseNumber(v, c.drainTimeoutSeconds, 0, 86400); }},
      {"MEDICALL_CHIME_ENDPOINT", "chime-endpoint",
       "AWS mode: Chime SDK Meetings endpoint where /join creates meetings (SigV4 with AWS_* credentials)",
       [](Config& c, const std::string& v) {
         c.chimeEndpoint = v;
         return v.empty() || IsBaseUrl(v);
       }},
  };
  return settings;
}

std::string Trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

}  // namespace

namespace {
std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    item = Trim(item);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}
}  // namespace

std::vector<std::string> Config::PublicIps() const { return SplitList(publicIp); }

std::vector<std::string> Config::TurnUris() const { return SplitList(turnUris); }

std::string Config::PublicUrlScheme() const {
  const auto colon = publicUrl.find("://");
  return colon == std::string::npos ? std::string() : publicUrl.substr(0, colon);
}

std::string Config::PublicUrlAuthority() const {
  const auto colon = publicUrl.find("://");
  if (colon == std::string::npos) return {};
  std::string rest = publicUrl.substr(colon + 3);
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  return rest;
}

std::vector<std::string> Config::MediaAddresses() const {
  if (!candidateAddresses.empty()) return candidateAddresses;
  auto ips = PublicIps();
  if (!ips.empty()) return ips;
  return {"127.0.0.1"};
}

std::vector<std::pair<std::string, std::string>> ParseDotEnv(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    line = Trim(line);
    if (line.empty() || line[0] == '#') continue;
    if (line.rfind("export ", 0) == 0) line = Trim(line.substr(7));
    const auto eq = line.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    std::string key = Trim(line.substr(0, eq));
    std::string value = Trim(line.substr(eq + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    } else {
      const auto hash = value.find(" #");
      if (hash != std::string::npos) value = Trim(value.substr(0, hash));
    }
    out.emplace_back(std::move(key), std::move(value));
  }
  return out;
}

bool LoadConfig(int argc, char** argv, Config& config, std::string& error, bool& wantHelp) {
  wantHelp = false;
  const auto& settings = Settings();
  auto applyEnv = [&](const std::string& key, const std::string& value, const char* source) {
    for (const auto& s : settings) {
      if (key == s.env) {
        if (!s.apply(config, value)) {
          error = std::string("invalid value for ") + s.env + " in " + source;
          return false;
        }
      }
    }
    return true;
  };

  if (std::ifstream f(".env"); f) {
    std::stringstream ss;
    ss << f.rdbuf();
    for (const auto& [k, v] : ParseDotEnv(ss.str()))
      if (std::getenv(k.c_str()) == nullptr && !applyEnv(k, v, ".env")) return false;
  }
  for (const auto& s : settings) {
    if (const char* v = std::getenv(s.env); v != nullptr && !applyEnv(s.env, v, "the environment"))
      return false;
  }

  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      wantHelp = true;
      return true;
    }
    if (arg.rfind("--", 0) != 0) {
      error = "unexpected argument: " + arg;
      return false;
    }
    std::string name = arg.substr(2), value;
    bool hasValue = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      hasValue = true;
    }
    const Setting* found = nullptr;
    for (const auto& s : settings)
      if (s.flag != nullptr && name == s.flag) found = &s;
    if (found == nullptr) {
      error = "unknown flag: --" + name + " (see --help)";
      return false;
    }
    if (!hasValue) {
      if (std::string(found->flag) == "enable-test-echo") {
        value = "1";
      } else if (i + 1 < argc) {
        value = argv[++i];
      } else {
        error = "missing value for --" + name;
        return false;
      }
    }
    if (!found->apply(config, value)) {
      error = "invalid value for --" + name + ": " + value;
      return false;
    }
  }
  if (config.tlsCert.empty() != config.tlsKey.empty()) {
    error = config.tlsCert.empty() ? "MEDICALL_TLS_CERT must be set with MEDICALL_TLS_KEY"
                                   : "MEDICALL_TLS_KEY must be set with MEDICALL_TLS_CERT";
    return false;
  }
  if (config.tlsSelfSigned && !config.tlsCert.empty()) {
    error = "MEDICALL_TLS_SELF_SIGNED and MEDICALL_TLS_CERT exclude each other";
    return false;
  }
  return true;
}

std::string ConfigHelp() {
  std::string out =
      "Usage: medicall [flags]\n\n"
      "MediCall: self-hosted, Amazon Chime compatible video consultation server.\n"
      "Settings come from defaults, ./.env, the environment, then flags (later wins).\n\n";
  for (const auto& s : Settings()) {
    std::string left =
        s.flag ? std::string("  --") + s.flag + (std::string(s.flag) == "enable-test-echo" ? "" : " VALUE")
               : std::string("  (env only)");
    out += left;
    out += std::string(left.size() < 28 ? 28 - left.size() : 1, ' ');
    out += std::string("[") + s.env + "] " + s.help + "\n";
  }
  out += "  --help                    this text\n";
  return out;
}

}  // namespace medicall
