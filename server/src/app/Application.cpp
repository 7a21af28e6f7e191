#include <utility>

#include "app/Application.hpp"

#include <fmt/ranges.h>

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <future>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "app/ChimeBridge.hpp"
#include "app/ClientAddress.hpp"
#include "app/ChimeEndpointClient.hpp"
#include "app/ClusterSupport.hpp"
#include "app/Cors.hpp"
#include "app/EventIngestion.hpp"
#include "app/JoinApi.hpp"
#include "app/MediaWorkerPool.hpp"
#include "app/Metrics.hpp"
#include "app/StaticFiles.hpp"
#include "app/TlsCredentials.hpp"
#include "clinic/ClinicApi.hpp"
#include "clinic/ClinicBackend.hpp"
#include "common/Logger.hpp"
#include "meetings/MeetingsApi.hpp"
#include "meetings/MeetingsService.hpp"
#include "media/echo/EchoService.hpp"
#include "net/HttpServer.hpp"
#include "net/InterfaceAddresses.hpp"
#include "net/MediaWorker.hpp"
#include "net/WorkerWatchdog.hpp"
#include "quality/MediaMetrics.hpp"
#include "quality/QualityApi.hpp"
#include "quality/StoredQualitySink.hpp"
#include "store/SqliteQualityStore.hpp"
#include "store/SqliteStore.hpp"
#include "store/StoreExecutor.hpp"
#include "webrtc/dtls/DtlsCertificate.hpp"
#include "webrtc/transport/MediaDemuxer.hpp"

namespace medicall::app {

namespace asio = boost::asio;

namespace {
// Close code for WebSockets at shutdown: any 4500-4599 close makes a Chime SDK client reconnect
// (chime-protocol-2.md section 2.1), to this server once it is back or to another behind the
// same address. 4503: as HTTP 503, the service is going away for now.
constexpr uint16_t kCloseServerGoingAway = 4503;
}  // namespace

struct Application::Impl {
  Impl(const Config& c, asio::io_context& io)
      : config(c),
        ioc(io),
        clientAddress(TrustedProxies(c), !c.publicUrl.empty()),
        store(ClusterSupport::MakeStore(c)),
        qualityStore(c.dataDir),
        meetings(*store, config),
        meetingsApi(meetings, config),
        joinApi(meetings, config),
        clinicStore(clinic::ClinicBackend::OpenStore(c)),
        links(clinic::ClinicBackend::OpenLinks(c, *clinicStore)),
        clinic(*clinicStore, &meetings, links, config),
        clinicApi(clinic, config, Clock::System(),
                  [this](std::function<void()> task) { storeExecutor.Post(std::move(task)); }),
        staticFiles(config.webDir),
        certificate(webrtc::dtls::DtlsCertificate::Generate()),
        workers(MediaWorkerPool::WorkerCount(c.mediaWorkers, std::thread::hardware_concurrency())),
        bridge(config, io, meetings, workers, certificate),
        cluster(
            config, io, bridge, [this] { return bridge.ConnectedAttendees(); },
            [this] { return bridge.LiveMeetings(); }),
        exitTimer(io),
        sweepTimer(io),
        heartbeatTimer(io),
        reloadSignal(io),
        watchdog(Clock::System(), static_cast<int64_t>(c.workerStallSeconds) * 1'000'000),
        http(
            io,
            net::HttpServerLimits{c.maxHeaderBytes, c.maxBodyBytes, c.requestTimeoutSeconds, c.maxConnections,
                                  c.shutdownDrainSeconds},
            [this](HttpRequest&& r, net::Responder respond) { Handle(std::move(r), std::move(respond)); },
            [this](const HttpRequest& r) { return AcceptWebSocket(r); }) {}

  ~Impl() {
    // Store work already queued runs (acknowledged requests stay durable) before what it uses goes.
    storeExecutor.Stop();
    // Media objects live on the workers: close them there, wait, then stop the workers before the
    // demuxers and the workers themselves are destroyed.
    echo.reset();
    bridge.Shutdown();
    workers.Stop(std::chrono::seconds(5));
  }

  static std::vector<ClientAddress::Network> TrustedProxies(const Config& c) {
    std::string why;
    auto list = ClientAddress::ParseList(c.trustedProxies, &why);
    if (!list) throw std::runtime_error("MEDICALL_TRUSTED_PROXIES: " + why);
    return *list;
  }

  // GET /api/client-config: what the web app needs to know before joining (the HTTPS address to
  // send a person to when the page was opened over plain HTTP).
  HttpResponse ClientConfig() const {
    nlohmann::json body = {{"secureUrl", nullptr}, {"openRooms", config.openRooms}};
    if (config.PublicUrlScheme() == "https") body["secureUrl"] = config.publicUrl;
    return HttpResponse::FromJson(200, body);
  }

  void Handle(HttpRequest&& request, net::Responder respond) {
    clientAddress.Resolve(request);
    const std::string route = Metrics::RouteOf(request.method, request.path);
    auto reply = [this, route, corsHeaders = cors.ResponseHeaders(request),
                  respond = std::move(respond)](HttpResponse response) {
      for (const auto& header : corsHeaders) response.headers.push_back(header);
      metrics.CountRequest(route, response.status);
      respond(std::move(response));
    };
    try {
      if (request.path == "/healthz") return reply(watchdog.Check());
      if (request.path == "/metrics") {
        return reply(HttpResponse::Text(200, metrics.Render(), "text/plain; version=0.0.4; charset=utf-8"));
      }
      if (auto r = cors.Preflight(request)) return reply(std::move(*r));
      if (ClusterSupport::Owns(request)) return reply(cluster.HandleAdmin(request));
      if (request.path == "/api/client-config" && request.method == "GET") return reply(ClientConfig());
      if (meetings::MeetingsApi::Owns(request.path) || JoinApi::Owns(request.path) ||
          EventIngestion::Owns(request.path) || quality::QualityApi::Owns(request.path) ||
          clinic::ClinicApi::Owns(request.path)) {
        // The store's writes may wait for the disk: never on this (the signaling) thread.
        return storeExecutor.Post([this, request = std::move(request), reply = std::move(reply)] {
          reply(HandleControlPlane(request));
        });
      }
      if (echo) {
        if (auto r = echo->Handle(request)) return reply(std::move(*r));
      }
      if (auto r = staticFiles.Handle(request)) return reply(std::move(*r));
      reply(HttpResponse::Json(405, "{\"error\":\"MethodNotAllowed\",\"message\":\"method not allowed\"}"));
    } catch (const ApiError& e) {
      reply(HttpResponse::AwsError(e.Status(), e.Type(), e.what()));
    } catch (const std::exception& e) {
      log::Error("http", "{} {} failed: {}", request.method, request.path, e.what());
      reply(HttpResponse::AwsError(500, "ServiceFailureException", "internal error"));
    }
  }

  // On the store thread. The APIs turn their own errors into replies; this catches the rest.
  HttpResponse HandleControlPlane(const HttpRequest& request) {
    try {
      if (auto r = meetingsApi.Handle(request)) return std::move(*r);
      if (auto r = joinApi.Handle(request)) return std::move(*r);
      if (auto r = events.Handle(request)) return std::move(*r);
      if (auto r = qualityApi.Handle(request)) return std::move(*r);
      if (auto r = clinicApi.Handle(request)) return std::move(*r);
    } catch (const std::exception& e) {
      log::Error("http", "{} {} failed: {}", request.method, request.path, e.what());
    }
    return HttpResponse::AwsError(500, "ServiceFailureException", "internal error");
  }

  net::WebSocketDecision AcceptWebSocket(const HttpRequest& original) {
    HttpRequest request = original;
    clientAddress.Resolve(request);
    // In a cluster, signaling of a meeting hosted on another node is relayed there.
    auto decision = cluster.RouteSignaling(request).value_or(net::WebSocketDecision{});
    if (!decision.onOpen && decision.refuseStatus == 0) decision = bridge.AcceptWebSocket(request);
    metrics.CountRequest(Metrics::RouteOf(request.method, request.path),
                         decision.refuseStatus != 0 ? decision.refuseStatus : 101);
    return decision;
  }

  void CloseAll() {
    sweepTimer.cancel();
    heartbeatTimer.cancel();
    // Meetings are not ended: their clients are told to reconnect (45xx) once in-flight HTTP has
    // drained, and find them again after a restart (or on another node). The media goes when the
    // process does.
    http.Shutdown(kCloseServerGoingAway, "server going away: reconnect");
  }

  void ExitWhenClosed(std::chrono::steady_clock::time_point giveUp) {
    if (http.Stats().connectionsOpen.load() == 0 || std::chrono::steady_clock::now() > giveUp) {
      log::Info("main", "drained: exiting");
      return ioc.stop();
    }
    exitTimer.expires_after(std::chrono::milliseconds(50));
    exitTimer.async_wait([this, giveUp](const boost::system::error_code& ec) {
      if (!ec) ExitWhenClosed(giveUp);
    });
  }

  void ScheduleSweep() {
    sweepTimer.expires_after(std::chrono::seconds(5));
    sweepTimer.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      storeExecutor.Post([this] {
        try {
          meetings.Sweep();
        } catch (const std::exception& e) {
          log::Error("meetings", "expiry sweep failed: {}", e.what());
        }
        PurgeQuality();
        try {
          clinicApi.Tick();
        } catch (const std::exception& e) {
          log::Error("clinic", "tick failed: {}", e.what());
        }
      });
      ScheduleSweep();
    });
  }

  // Call-quality rows past MEDICALL_QUALITY_RETENTION_DAYS (store thread, in the sweep).
  void PurgeQuality() {
    try {
      const int64_t cutoffMs = WallNowUs() / 1000 - int64_t{config.qualityRetentionDays} * 86'400'000;
      if (const int64_t n = qualityStore.PurgeBefore(cutoffMs); n > 0)
        log::Info("quality", "purged {} call-quality rows older than {} days", n,
                  config.qualityRetentionDays);
    } catch (const std::exception& e) {
      log::Error("quality", "call-quality purge failed: {}", e.what());
    }
  }

  // Once a second each media worker publishes its own counters for /metrics, on its own thread; how
  // late the task runs is that worker's loop lag. The placement's packets/s are sampled here too.
  void PublishMediaMetrics() {
    const int64_t nowUs = MonotonicNowUs();
    if (lastLoadSampleUs != 0) workers.SampleLoad(std::chrono::microseconds(nowUs - lastLoadSampleUs));
    lastLoadSampleUs = nowUs;
    for (size_t i = 0; i < workers.Size(); ++i) {
      auto& w = workers.At(i);
      w.worker.Post([&w, postedUs = nowUs] { w.metrics.Publish(MonotonicNowUs() - postedUs); });
    }
  }

  // Sums over the workers, for the media port series (atomics: read without touching the workers).
  template <typename Read>
  double SumWorkers(Read read) const {
    uint64_t total = 0;
    for (size_t i = 0; i < workers.Size(); ++i) total += read(workers.At(i));
    return static_cast<double>(total);
  }

  // Per-worker series: what placement sees.
  std::string RenderWorkers() const {
    std::string out =
        "# HELP medicall_media_worker_transports WebRTC transports registered with a media worker.\n"
        "# TYPE medicall_media_worker_transports gauge\n";
    for (size_t i = 0; i < workers.Size(); ++i)
      out += fmt::format("medicall_media_worker_transports{{worker=\"{}\"}} {}\n", i,
                         workers.At(i).demuxer.RegisteredTransports());
    out +=
        "# HELP medicall_media_worker_meetings Meetings placed on a media worker.\n"
        "# TYPE medicall_media_worker_meetings gauge\n";
    for (size_t i = 0; i < workers.Size(); ++i)
      out += fmt::format("medicall_media_worker_meetings{{worker=\"{}\"}} {}\n", i,
                         workers.At(i).meetings.load(std::memory_order_relaxed));
    out +=
        "# HELP medicall_media_worker_packets_in_total Datagrams received on a media worker's port.\n"
        "# TYPE medicall_media_worker_packets_in_total counter\n";
    for (size_t i = 0; i < workers.Size(); ++i)
      out += fmt::format("medicall_media_worker_packets_in_total{{worker=\"{}\"}} {}\n", i,
                         workers.At(i).demuxer.SocketStats().received.load());
    return out;
  }

  // Heartbeats to the media workers, so /healthz can tell a stuck loop.
  void ScheduleHeartbeat() {
    heartbeatTimer.expires_after(std::chrono::seconds(1));
    heartbeatTimer.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      watchdog.Beat();
      PublishMediaMetrics();
      ScheduleHeartbeat();
    });
  }

  // TLS on: load and check the certificate first, so bad settings stop the server before anything
  // is bound; reload it on SIGHUP (new connections get the new one, calls in progress keep theirs).
  void SetUpTls() {
    if (!config.TlsEnabled()) return;
    UseTls(LoadTls());
    reloadSignal.add(SIGHUP);
    WaitForReload();
  }

  TlsCredentials LoadTls() {
    if (!config.tlsSelfSigned) return TlsCredentials::Load(config.tlsCert, config.tlsKey);
    // Every address the machine answers on (loopback included) and the public ones.
    std::vector<std::string> hosts = {"127.0.0.1", "::1"};
    for (const std::string& a : net::InterfaceAddresses::ForCandidates(config.PublicIps(), true))
      if (std::find(hosts.begin(), hosts.end(), a) == hosts.end()) hosts.push_back(a);
    return TlsCredentials::SelfSigned(config.dataDir, hosts);
  }

  // What people can open, printed at start (`make run` shows it), and a warning when plain HTTP
  // means no camera: browsers give it only to https:// pages and http://localhost.
  void AnnounceUrls() const {
    const bool tls = config.TlsEnabled();
    const uint16_t port = http.LocalPort();
    if (!config.publicUrl.empty()) {
      log::Warn("main", "people open {} (MEDICALL_PUBLIC_URL, through the reverse proxy)", config.publicUrl);
    } else {
      std::vector<std::string> hosts;
      if (config.bindAddress == "0.0.0.0" || config.bindAddress == "::") {
        hosts.emplace_back("localhost");
        for (const std::string& a : net::InterfaceAddresses::List(config.bindAddress == "::"))
          hosts.push_back(a);
      } else {
        hosts.push_back(config.bindAddress);
      }
      for (const std::string& h : hosts) {
        const bool v6 = h.find(':') != std::string::npos;
        log::Warn("main", "open {}://{}{}{}:{}/", tls ? "https" : "http", v6 ? "[" : "", h, v6 ? "]" : "",
                  port);
      }
    }
    if (config.tlsSelfSigned) {
      log::Warn("main", "self-signed certificate (accept the browser's warning once), SHA-256 fingerprint {}",
                tlsFingerprint);
    }
    if (!tls && config.PublicUrlScheme() != "https") {
      log::Warn("main",
                "plain HTTP: cameras and microphones work only at http://localhost:{}/; for other devices (a "
                "phone, another computer) set MEDICALL_TLS_SELF_SIGNED=1, or MEDICALL_TLS_CERT and "
                "MEDICALL_TLS_KEY",
                port);
    }
  }

  void UseTls(const TlsCredentials& tls) {
    try {
      http.UseTls(tls.certificateChainPem, tls.privateKeyPem);
    } catch (const std::runtime_error& e) {
      throw std::runtime_error(
          std::string(config.tlsSelfSigned ? "MEDICALL_TLS_SELF_SIGNED" : "MEDICALL_TLS_CERT") + ": " +
          e.what());
    }
    tlsFingerprint = tls.fingerprintSha256;
  }

  void WaitForReload() {
    reloadSignal.async_wait([this](const boost::system::error_code& ec, int) {
      if (ec) return;
      try {
        UseTls(config.tlsSelfSigned ? TlsCredentials::Load(config.dataDir + "/tls/self-signed.crt",
                                                           config.dataDir + "/tls/self-signed.key")
                                    : TlsCredentials::Load(config.tlsCert, config.tlsKey));
        log::Info("main", "SIGHUP: TLS certificate reloaded (SHA-256 {})", tlsFingerprint);
      } catch (const std::exception& e) {
        log::Error("main", "SIGHUP: TLS certificate not reloaded, the previous one stays: {}", e.what());
      }
      WaitForReload();
    });
  }

  void RegisterMetrics() {
    metrics.AddSource("medicall_meetings_active", "Meetings that have not ended.", "gauge",
                      [this] { return static_cast<double>(meetings.Stats().activeMeetings); });
    metrics.AddSource("medicall_attendees", "Attendees of active meetings.", "gauge",
                      [this] { return static_cast<double>(meetings.Stats().attendees); });
    metrics.AddSource("medicall_signaling_meetings_live", "Meetings with signaling sessions.", "gauge",
                      [this] { return static_cast<double>(bridge.LiveMeetings()); });
    metrics.AddSource("medicall_signaling_attendees_connected", "Attendees with a signaling session.",
                      "gauge", [this] { return static_cast<double>(bridge.ConnectedAttendees()); });
    metrics.AddSource("medicall_http_connections_open",
                      "Open connections (HTTP and WebSocket), counted against MEDICALL_MAX_CONNECTIONS.",
                      "gauge", [this] { return static_cast<double>(http.Stats().connectionsOpen.load()); });
    metrics.AddSource("medicall_websockets_open",
                      "Open WebSocket connections (part of the connections gauge).", "gauge",
                      [this] { return static_cast<double>(http.Stats().webSocketsOpen.load()); });
    // Media port and worker faults (atomics: read here without touching the worker).
    metrics.AddSource(
        "medicall_media_packets_in_total", "Datagrams received on the media port.", "counter",
        [this] { return SumWorkers([](const auto& w) { return w.demuxer.SocketStats().received.load(); }); });
    metrics.AddSource(
        "medicall_media_bytes_in_total", "Bytes received on the media port.", "counter", [this] {
          return SumWorkers([](const auto& w) { return w.demuxer.SocketStats().receivedBytes.load(); });
        });
    metrics.AddSource(
        "medicall_media_packets_out_total", "Datagrams sent from the media port.", "counter",
        [this] { return SumWorkers([](const auto& w) { return w.demuxer.SocketStats().sent.load(); }); });
    metrics.AddSource("medicall_media_bytes_out_total", "Bytes sent from the media port.", "counter", [this] {
      return SumWorkers([](const auto& w) { return w.demuxer.SocketStats().sentBytes.load(); });
    });
    metrics.AddText([this] { return quality::MediaMetrics::Render(workers.Metrics()); });
    metrics.AddText([this] { return RenderWorkers(); });
    metrics.AddSource(
        "medicall_media_send_dropped_total", "Datagrams the kernel would not take.", "counter", [this] {
          return SumWorkers([](const auto& w) { return w.demuxer.SocketStats().sendDropped.load(); });
        });
    metrics.AddSource(
        "medicall_media_receive_errors_total", "Receive errors on the media port.", "counter", [this] {
          return SumWorkers([](const auto& w) { return w.demuxer.SocketStats().receiveErrors.load(); });
        });
    metrics.AddSource(
        "medicall_media_handler_exceptions_total",
        "Exceptions caught on the media workers (per datagram, per tick, per task).", "counter", [this] {
          return SumWorkers([](const auto& w) { return w.worker.GetStats().handlerExceptions.load(); });
        });
    metrics.AddSource("medicall_media_worker_stalled_seconds",
                      "How long a media worker has left a heartbeat unanswered (the longest; 0: answering).",
                      "gauge", [this] {
                        int64_t us = 0;
                        for (size_t i = 0; i < workers.Size(); ++i)
                          us = std::max(us, workers.At(i).worker.StalledUs(Clock::System()));
                        return static_cast<double>(us) / 1e6;
                      });
    metrics.AddSource("medicall_http_connections_refused_total", "Connections refused at the cap.", "counter",
                      [this] { return static_cast<double>(http.Stats().connectionsRefused.load()); });
    metrics.AddSource("medicall_http_requests_rejected_total", "Malformed, oversized or timed-out requests.",
                      "counter",
                      [this] { return static_cast<double>(http.Stats().requestsRejected.load()); });
  }

  Config config;  // own copy: candidateAddresses is filled in at start-up
  asio::io_context& ioc;
  ClientAddress clientAddress;
  Metrics metrics;
  std::unique_ptr<store::Store> store;     // SQLite, or Redis in a cluster
  store::SqliteQualityStore qualityStore;  // its own tables in the node's SQLite database file
  store::StoreExecutor storeExecutor;      // API requests, the sweep and store writes run here
  meetings::MeetingsService meetings;
  meetings::MeetingsApi meetingsApi;
  JoinApi joinApi;
  std::unique_ptr<store::ClinicStore> clinicStore;  // SQLite (same database file), or Redis in a cluster
  clinic::LinkSigner links;
  clinic::ClinicService clinic;
  clinic::ClinicApi clinicApi;
  EventIngestion events{meetings, metrics};
  quality::QualityApi qualityApi{qualityStore, meetings, config};
  quality::StoredQualitySink qualitySink{qualityStore, storeExecutor};
  Cors cors{config.corsOrigins};
  StaticFiles staticFiles;
  std::shared_ptr<webrtc::dtls::DtlsCertificate> certificate;
  MediaWorkerPool workers;       // the media threads: each its own port, its meetings' media, its counters
  int64_t lastLoadSampleUs = 0;  // HTTP thread (PublishMediaMetrics)
  ChimeBridge bridge;
  ClusterSupport cluster;        // MEDICALL_REDIS_URL: registry, placement, relay, drain
  asio::steady_timer exitTimer;  // after POST /admin/drain: stop once every connection has closed
  std::unique_ptr<ChimeEndpointClient> chime;      // MEDICALL_CHIME_ENDPOINT (AWS mode)
  std::unique_ptr<media::echo::EchoService> echo;  // only with --enable-test-echo
  asio::steady_timer sweepTimer;
  asio::steady_timer heartbeatTimer;
  asio::signal_set reloadSignal;  // SIGHUP: reload the TLS certificate
  std::string tlsFingerprint;
  net::WorkerWatchdog watchdog;  // /healthz: fails when a media loop is stuck
  net::HttpServer http;
};

Application::Application(const Config& config, asio::io_context& ioc) {
  std::error_code ec;
  std::filesystem::create_directories(config.dataDir, ec);
  Config effective = config;
  // IPv6 candidates only when media listens on a dual-stack "::".
  effective.candidateAddresses =
      net::InterfaceAddresses::ForCandidates(config.PublicIps(), config.mediaBindAddress == "::");
  impl_ = std::make_unique<Impl>(effective, ioc);
  impl_->RegisterMetrics();
  for (size_t i = 0; i < impl_->workers.Size(); ++i) impl_->watchdog.Add(impl_->workers.At(i).worker);
}

Application::~Application() = default;

void Application::Start() {
  impl_->SetUpTls();
  {
    // Worker i: UDP media port + i; ICE-TCP on the TCP port + i (default: the same number as its UDP port).
    net::TcpMediaServer::Options tcp;
    tcp.maxConnections = static_cast<size_t>(impl_->config.mediaTcpMaxConnections);
    impl_->workers.Bind(impl_->config.mediaBindAddress, impl_->config.mediaPort, impl_->config.mediaTcpPort,
                        tcp);
  }
  // Each demuxer's counters for its worker's /metrics (registered before the workers run; read on
  // them afterwards).
  for (size_t i = 0; i < impl_->workers.Size(); ++i) {
    auto& w = impl_->workers.At(i);
    w.metrics.Register([&d = w.demuxer, first = i == 0](quality::MediaMetrics::Counts& c) {
      using M = quality::MediaMetrics;
      using Reason = webrtc::transport::WebRtcTransport::CloseReason;
      const auto& k = d.GetCounters();
      c[M::kDropUnknownKind] += k.unknownKind;
      c[M::kDropBadStun] += k.badStun;
      c[M::kDropUnknownUfrag] += k.unknownUfrag;
      c[M::kDropUnknownAddress] += k.unknownAddress;
      c[M::kTransportsActive] += d.TransportCount();
      // Process-wide atomics (every worker's transports): counted once, with the first worker.
      if (!first) return;
      c[M::kDtlsHandshakeFailed] += webrtc::transport::WebRtcTransport::ClosedCount(Reason::DtlsFailed);
      c[M::kDtlsTimeout] += webrtc::transport::WebRtcTransport::ClosedCount(Reason::DtlsTimeout);
    });
  }
  impl_->bridge.SetQuality(&impl_->qualitySink, true);
  impl_->workers.Start();
  impl_->meetings.SetListener(&impl_->bridge);
  impl_->meetings.SetWriteExecutor(&impl_->storeExecutor);
  if (!impl_->config.chimeEndpoint.empty()) {  // AWS mode: /join's meetings live on that endpoint
    impl_->chime = std::make_unique<ChimeEndpointClient>(impl_->config);
    impl_->meetings.SetRemote(impl_->chime.get());
  }
  impl_->clinic.SetHostControls(&impl_->bridge);
  if (impl_->cluster.Enabled()) {
    // Dashboards and waiting patients on other nodes: the clinic's events over the control channel,
    // applied on the store thread (where the clinic runs).
    impl_->clinic.SetBroadcast(
        [impl = impl_.get()](const std::string& e) { impl->cluster.PublishClinic(e); });
    impl_->cluster.SetClinicHandler([impl = impl_.get()](const std::string& e) {
      impl->storeExecutor.Post([impl, e] {
        try {
          impl->clinic.OnPeerEvent(e);
        } catch (const std::exception& error) {
          log::Error("clinic", "event from another node not applied: {}", error.what());
        }
      });
    });
  }
  // A visit's call-quality report: that visit's participants and clinicians (and the operator).
  impl_->qualityApi.SetVisitAuthorizer([impl = impl_.get()](const std::string& meetingId,
                                                            const HttpRequest& r, int& status,
                                                            std::string& why) -> std::optional<bool> {
    if (!impl->clinic.VisitOfMeeting(meetingId)) return std::nullopt;
    if (auto refused = impl->clinicApi.AuthorizeMeetingView(meetingId, r)) {
      status = refused->status;
      why = "Only this visit's participants and clinicians may see its report.";
      return false;
    }
    impl->clinicApi.RecordReportViewed(meetingId, r);
    return true;
  });
  impl_->joinApi.SetMeetingAuthorizer(
      [impl = impl_.get()](const std::string& meetingId, const HttpRequest& r) {
        return impl->clinicApi.AuthorizeMeetingView(meetingId, r);
      });
  impl_->bridge.SetPresenceObserver([impl = impl_.get()](const std::string& meetingId,
                                                         const std::string& attendeeId,
                                                         const std::string& kind) {
    impl->storeExecutor.Post([impl, meetingId, attendeeId, kind] {
      try {
        impl->clinic.OnPresence(meetingId, attendeeId, kind);
      } catch (const std::exception& e) {
        log::Error("clinic", "presence not audited: {}", e.what());
      }
    });
  });
  if (impl_->config.testEcho) {
    impl_->echo = std::make_unique<media::echo::EchoService>(
        impl_->config, impl_->workers.At(impl_->workers.Place()).demuxer, impl_->certificate);
    log::Warn("main", "test echo endpoint enabled (POST /test/echo): not for production");
  }
  impl_->http.Listen(impl_->config.bindAddress, impl_->config.port);
  impl_->ScheduleSweep();
  impl_->ScheduleHeartbeat();
  impl_->cluster.SetDrainActions(
      [impl = impl_.get()] { impl->CloseAll(); },
      [impl = impl_.get()] {
        impl->ExitWhenClosed(std::chrono::steady_clock::now() + std::chrono::seconds(10));
      });
  // A node's AudioHostUrl (MediaPlacement, informative: clients use the answer's candidates) names
  // its first worker's port; each meeting's answer carries the port of the worker it is placed on.
  impl_->cluster.Start(impl_->meetings, impl_->http.LocalPort(), impl_->workers.At(0).demuxer.LocalPort());
  const char* scheme = impl_->config.TlsEnabled() ? "https" : "http";
  std::vector<std::string> ports;
  for (size_t i = 0; i < impl_->workers.Size(); ++i) {
    const auto& d = impl_->workers.At(i).demuxer;
    ports.push_back(fmt::format("media-{} UDP {} TCP {}", i, d.LocalPort(), d.LocalTcpPort()));
  }
  log::Info("main", "MediCall listening on {}://{}:{} ({} media workers: {}; on {}, candidates {}; data {})",
            scheme, impl_->config.bindAddress, impl_->http.LocalPort(), impl_->workers.Size(),
            fmt::join(ports, ", "), impl_->config.mediaBindAddress,
            fmt::join(impl_->config.MediaAddresses(), ","), impl_->config.dataDir);
  impl_->AnnounceUrls();
}

uint16_t Application::HttpPort() const { return impl_->http.LocalPort(); }

void Application::Shutdown() {
  // A cluster node drains first: its meetings go on until they end or the drain timeout passes.
  if (impl_->cluster.Enabled()) return impl_->cluster.BeginDrain(false);
  impl_->CloseAll();
}

bool Application::Drained() const {
  return !impl_->cluster.Draining() && impl_->http.Stats().connectionsOpen.load() == 0;
}

int Application::ShutdownSeconds() const {
  return impl_->cluster.Enabled() ? impl_->config.drainTimeoutSeconds : 0;
}

}  // namespace medicall::app
