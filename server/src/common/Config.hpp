#pragma once
// Server configuration: one struct, a default and a comment per field.
// Sources, later ones win: built-in defaults, `.env` in the working directory, the process
// environment, command-line flags. `.env.example` lists every field.
#include <cstdint>
#include <string>
#include <vector>

namespace medicall {

struct Config {
  uint16_t port = 3001;                 // PORT: HTTP and WebSocket listen port
  std::string bindAddress = "0.0.0.0";  // MEDICALL_BIND: HTTP listen address
  // MEDICALL_MEDIA_BIND: media (UDP and ICE-TCP) listen address; apart from MEDICALL_BIND so that
  // behind a proxy HTTP can listen on loopback only while media stays reachable.
  std::string mediaBindAddress = "0.0.0.0";
  uint16_t mediaPort = 40000;  // MEDICALL_MEDIA_PORT: UDP media port, shared by all sessions
  // MEDICALL_PUBLIC_IP: comma list of extra addresses put in ICE candidates (1:1 NAT, cloud VM),
  // besides every non-loopback interface address; empty: interfaces only (127.0.0.1 if none).
  std::string publicIp;
  int mediaTcpPort = -1;  // MEDICALL_MEDIA_TCP_PORT: ICE-TCP port (-1: same as the media port, 0: off)
  int mediaTcpMaxConnections = 256;  // MEDICALL_MEDIA_TCP_MAX_CONNECTIONS: open ICE-TCP connections
  std::string publicHost;  // MEDICALL_PUBLIC_HOST: host[:port] for SignalingUrl (default: request Host)
  std::string dataDir = "./data";       // MEDICALL_DATA_DIR: SQLite database and audit log
  std::string webDir = "./web/dist";    // MEDICALL_WEB_DIR: built web app served at /
  std::string awsRegion = "us-east-1";  // AWS_REGION: region reported in MediaRegion and checked in SigV4
  std::string awsAccessKeyId;      // AWS_ACCESS_KEY_ID: key the meetings API accepts (empty: loopback only)
  std::string awsSecretAccessKey;  // AWS_SECRET_ACCESS_KEY: its secret
  int sigv4SkewSeconds = 300;      // MEDICALL_SIGV4_SKEW_SECONDS: allowed clock skew for SigV4
  int maxAttendees = 250;          // MEDICALL_MAX_ATTENDEES: attendees per meeting
  int meetingIdleSeconds = 300;    // MEDICALL_MEETING_IDLE_SECONDS: end a meeting nobody is connected to
  int meetingMaxSeconds = 86400;   // MEDICALL_MEETING_MAX_SECONDS: longest a meeting may last
  int qualityRetentionDays = 30;   // MEDICALL_QUALITY_RETENTION_DAYS: keep call-quality samples this long
  int maxConnections = 1024;       // MEDICALL_MAX_CONNECTIONS: concurrent HTTP/WebSocket connections
  size_t maxHeaderBytes = 16 * 1024;  // MEDICALL_MAX_HEADER_BYTES: request header limit (431 beyond)
  size_t maxBodyBytes = 64 * 1024;    // MEDICALL_MAX_BODY_BYTES: request body limit (413 beyond)
  int requestTimeoutSeconds = 30;     // MEDICALL_REQUEST_TIMEOUT_SECONDS: read/idle timeout per request
  int mediaWorkers = 0;               // MEDICALL_MEDIA_WORKERS: media threads (0: one per core)
  int workerStallSeconds =
      5;  // MEDICALL_WORKER_STALL_SECONDS: /healthz fails when a media loop is stuck this long
  int shutdownDrainSeconds =
      5;  // MEDICALL_SHUTDOWN_DRAIN_SECONDS: SIGTERM: wait for in-flight HTTP before closing WebSockets
  // MEDICALL_VIDEO_H264: 1 lets a meeting run H.264 constrained baseline when every attendee decodes it
  // (INDEX supported_receive_codec_intersection lists it, so that the Chime SDK's default preference,
  // VP9 > H.264 > VP8, picks it); 0 (default): VP8 only, one codec every browser sends and decodes, so
  // no call renegotiates codecs when a Firefox or simulcast attendee joins or leaves.
  bool videoH264 = false;
  std::string logLevel = "info";  // MEDICALL_LOG_LEVEL: debug, info, warn, error, off
  bool testEcho = false;          // MEDICALL_TEST_ECHO / --enable-test-echo: POST /test/echo
  std::string tlsCert;  // MEDICALL_TLS_CERT: PEM certificate chain; with tlsKey, PORT serves HTTPS/WSS only
  std::string tlsKey;   // MEDICALL_TLS_KEY: PEM private key of that certificate (both reloaded on SIGHUP)
  bool tlsSelfSigned =
      false;  // MEDICALL_TLS_SELF_SIGNED: HTTPS with a self-signed certificate in dataDir/tls
  // MEDICALL_CORS_ORIGINS: origins ("https://host[:port]", comma separated) whose pages may call
  // /join, /api/roster/:roomId and /events (CORS); empty: none (the served web app is same-origin).
  std::vector<std::string> corsOrigins;

  // MEDICALL_PUBLIC_URL: external base URL (https://clinic.example.org) behind a reverse proxy that
  // terminates TLS: written into MediaPlacement; loopback requests are then not trusted.
  std::string publicUrl;
  // MEDICALL_TRUSTED_PROXIES: addresses/CIDRs whose Forwarded / X-Forwarded-* headers are believed.
  std::string trustedProxies;

  // MEDICALL_TURN_URIS: comma list of TURN URIs for JOIN_ACK (empty: no TURN, the default).
  std::string turnUris;
  std::string turnSecret;      // MEDICALL_TURN_SECRET: coturn's static-auth-secret
  int turnTtlSeconds = 86400;  // MEDICALL_TURN_TTL_SECONDS: lifetime of issued TURN credentials

  // Cluster (several nodes sharing state in Redis); all unset: one node on SQLite.
  // MEDICALL_REDIS_URL: redis://[[user]:password@]host[:port][/db], or rediss://... for TLS (the
  // server's certificate verified and its name checked against the URL's host; no fallback to the
  // clear); set: the store is Redis and this process is one node of a cluster.
  std::string redisUrl;
  std::string redisPassword;  // MEDICALL_REDIS_PASSWORD: Redis password when the URL has none
  std::string redisCaFile;    // MEDICALL_REDIS_CA_FILE: CA bundle for rediss:// (default: system store)
  // MEDICALL_REDIS_CERT_FILE / MEDICALL_REDIS_KEY_FILE: client certificate and key for rediss://
  // (mutual TLS, Redis's tls-auth-clients yes); both or neither.
  std::string redisCertFile;
  std::string redisKeyFile;
  std::string nodeId;  // MEDICALL_NODE_ID: this node's name in Redis (default: host name:PORT)
  // MEDICALL_NODE_URL: http://host:port where the other nodes reach this one (signaling of meetings
  // it hosts is relayed there); default http://<first media address>:PORT.
  std::string nodeUrl;
  // MEDICALL_DRAIN_TIMEOUT_SECONDS: on SIGTERM or POST /admin/drain (cluster), how long meetings may
  // go on here before their clients are told to reconnect (onto another node).
  int drainTimeoutSeconds = 300;
  // MEDICALL_CHIME_ENDPOINT: AWS mode: https://meetings-chime.<region>.amazonaws.com (or another
  // MediCall): /join creates meetings and attendees there with SigV4 (AWS_ACCESS_KEY_ID,
  // AWS_SECRET_ACCESS_KEY, AWS_REGION) and browsers use its media; empty: this server hosts them.
  std::string chimeEndpoint;
  // The clinic (issue 12).
  bool openRooms = true;              // MEDICALL_OPEN_ROOMS: 0 turns off the open rooms (POST /join: 403)
  std::string clinicSlug = "clinic";  // MEDICALL_CLINIC_SLUG: the default clinic's slug (queue at /c/<slug>)
  std::string clinicName = "MediCall clinic";  // MEDICALL_CLINIC_NAME: its display name
  int sessionIdleMinutes = 30;  // MEDICALL_SESSION_IDLE_MINUTES: a login ends after this long unused
  int sessionMaxHours = 12;     // MEDICALL_SESSION_MAX_HOURS: and this long after it began
  int retentionDays = 30;       // MEDICALL_RETENTION_DAYS: visit records are purged after this

  // Derived at start-up (not a setting): the addresses offered as ICE candidates, in order.
  std::vector<std::string> candidateAddresses;

  // MEDICALL_PUBLIC_IP split at commas.
  std::vector<std::string> PublicIps() const;
  // publicUrl split: "https", "clinic.example.org[:port]"; empty when unset.
  std::string PublicUrlScheme() const;
  std::string PublicUrlAuthority() const;
  // MEDICALL_TURN_URIS split at commas.
  std::vector<std::string> TurnUris() const;
  // candidateAddresses, else the public IPs, else 127.0.0.1: never empty.
  std::vector<std::string> MediaAddresses() const;
  // The first of MediaAddresses() (for URLs that name one address).
  std::string PrimaryMediaAddress() const { return MediaAddresses().front(); }

  bool HasCredentials() const { return !awsAccessKeyId.empty() && !awsSecretAccessKey.empty(); }
  bool TlsEnabled() const { return !tlsCert.empty() || tlsSelfSigned; }
};

// Loads defaults, then `.env` (if present in the working directory), then the environment, then
// argv. Returns false and fills `error` on a bad value; sets `wantHelp` for --help.
bool LoadConfig(int argc, char** argv, Config& config, std::string& error, bool& wantHelp);
std::string ConfigHelp();

// Parses `KEY=VALUE` lines (comments, blank lines, optional quotes, `export ` prefix).
std::vector<std::pair<std::string, std::string>> ParseDotEnv(const std::string& text);

}  // namespace medicall
