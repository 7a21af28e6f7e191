// echo_harness: a stand-alone HTTP + media server with only the echo endpoint, for end-to-end
// tests of the WebRTC stack before (or besides) the full server. Same flags as medicall
// (--port, --media-port, --public-ip, --bind). Serves "/" (an empty page to run tests from),
// /healthz, POST /test/echo and GET /test/echo/stats. Exits on SIGINT/SIGTERM.
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdio>

#include "common/Config.hpp"
#include "common/LibraryInit.hpp"
#include "common/Logger.hpp"
#include "media/echo/EchoService.hpp"
#include "net/HttpServer.hpp"
#include "net/MediaWorker.hpp"

int main(int argc, char** argv) {
  using namespace medicall;
  Config config;
  std::string error;
  bool wantHelp = false;
  if (!LoadConfig(argc, argv, config, error, wantHelp)) {
    std::fprintf(stderr, "echo_harness: %s\n", error.c_str());
    return 2;
  }
  if (wantHelp) {
    std::fputs(ConfigHelp().c_str(), stdout);
    return 0;
  }
  log::Level level = log::Level::Info;
  log::ParseLevel(config.logLevel, level);
  log::SetLevel(level);
  InitLibraries();

  net::MediaWorker worker("media-0");
  webrtc::transport::MediaDemuxer demuxer(worker);
  demuxer.Bind(config.bindAddress, config.mediaPort);
  worker.Start();
  auto certificate = webrtc::dtls::DtlsCertificate::Generate();
  if (!certificate) return 1;
  auto echo = std::make_unique<media::echo::EchoService>(config, demuxer, certificate);

  boost::asio::io_context ioc;
  net::HttpServerLimits limits;
  limits.maxBodyBytes = config.maxBodyBytes;
  net::HttpServer http(
      ioc, limits,
      [&](HttpRequest&& request, net::Responder respond) {
        if (auto r = echo->Handle(request)) return respond(std::move(*r));
        if (request.path == "/healthz") return respond(HttpResponse::Text(200, "ok\n"));
        if (request.path == "/") {
          return respond(HttpResponse::Text(200, "<!doctype html><title>echo</title><p>echo harness</p>",
                                            "text/html; charset=utf-8"));
        }
        respond(HttpResponse::Text(404, "not found\n"));
      },
      [](const HttpRequest&) {
        net::WebSocketDecision d;
        d.refuseStatus = 404;
        return d;
      });
  http.Listen(config.bindAddress, config.port);
  log::Info("main", "echo harness on http://{}:{} media UDP {}", config.bindAddress, http.LocalPort(),
            demuxer.LocalPort());
  boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    http.Shutdown();
    ioc.stop();
  });
  ioc.run();
  // Sessions live on the worker: close them while it runs, then stop it before the demuxer goes.
  echo.reset();
  worker.Stop();
  return 0;
}
