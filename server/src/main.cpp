// medicall: entry point. Builds the configuration and the application, runs the HTTP event
// loop, and shuts down gracefully on SIGTERM/SIGINT (exit 0).
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdio>
#include <exception>
#include <functional>
#include <memory>

#include "app/Application.hpp"
#include "clinic/ClinicCli.hpp"
#include "common/Config.hpp"
#include "common/LibraryInit.hpp"
#include "common/Logger.hpp"

int main(int argc, char** argv) {
  using namespace medicall;
  // `medicall user ...` / `medicall audit ...`: the clinic's commands, on the same data directory.
  if (clinic::ClinicCli::IsCommand(argc, argv)) return clinic::ClinicCli::Run(argc, argv);
  Config config;
  std::string error;
  bool wantHelp = false;
  if (!LoadConfig(argc, argv, config, error, wantHelp)) {
    std::fprintf(stderr, "medicall: %s\n", error.c_str());
    return 2;
  }
  if (wantHelp) {
    std::fputs(ConfigHelp().c_str(), stdout);
    return 0;
  }
  log::Level level = log::Level::Info;
  log::ParseLevel(config.logLevel, level);
  log::SetLevel(level);

  try {
    InitLibraries();
    boost::asio::io_context ioc;
    app::Application application(config, ioc);
    application.Start();

    boost::asio::steady_timer deadline(ioc);
    std::shared_ptr<std::function<void()>> pollKeeper;
    boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int signal) {
      if (ec) return;
      log::Info("main", "signal {}: shutting down", signal);
      application.Shutdown();
      // In-flight requests get up to 10 s to finish; exit as soon as every connection is gone.
      const auto giveUp = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      auto poll = std::make_shared<std::function<void()>>();
      *poll = [&, giveUp, weak = std::weak_ptr<std::function<void()>>(poll)] {
        if (application.Drained()) return ioc.stop();
        if (std::chrono::steady_clock::now() > giveUp) {
          log::Warn("main", "shutdown deadline reached; stopping");
          return ioc.stop();
        }
        deadline.expires_after(std::chrono::milliseconds(20));
        deadline.async_wait([weak](const boost::system::error_code& e) {
          if (auto p = weak.lock(); p && !e) (*p)();
        });
      };
      (*poll)();
      pollKeeper = poll;
    });
    ioc.run();
    log::Info("main", "stopped");
  } catch (const std::exception& e) {
    log::Error("main", "fatal: {}", e.what());
    return 1;
  }
  return 0;
}
