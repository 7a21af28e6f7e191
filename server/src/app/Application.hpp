#pragma once
// Wires the planes together: store -> meetings service -> HTTP APIs (meetings REST, /join,
// roster, static app, health, metrics) and the signaling WebSocket, on the HTTP io_context.
// main.cpp only builds a Config, an io_context and one Application.
#include <memory>

#include <boost/asio/io_context.hpp>

#include "common/Config.hpp"

namespace medicall::app {

class Application {
 public:
  Application(const Config& config, boost::asio::io_context& ioc);
  ~Application();
  Application(const Application&) = delete;
  Application& operator=(const Application&) = delete;

  // Loads the TLS certificate (when configured), binds the media and HTTP ports and starts
  // timers. Throws std::runtime_error naming the setting or port at fault; nothing is bound when
  // the TLS settings are bad.
  void Start();
  uint16_t HttpPort() const;
  // Graceful: stop accepting, finish in-flight requests, then close WebSockets with 4503 so Chime
  // SDK clients reconnect (meetings are not ended; they outlive a restart), stop timers. A cluster
  // node drains first (ClusterSupport::BeginDrain).
  void Shutdown();
  // True once every connection has closed after Shutdown() (in a cluster: after the drain).
  bool Drained() const;
  // How much longer than a single node's shutdown may take (a cluster node's drain timeout).
  int ShutdownSeconds() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace medicall::app
