#pragma once
// A real redis-server for tests: started on a free loopback port with its files in a temporary
// directory, stopped (SIGKILL, then reaped) by the destructor. A missing redis-server binary
// fails the test that starts it (Debian package redis-server, installed by scripts/install-deps.sh).
// With `tls` it listens for TLS only (rediss://, Debian's redis-server is built with TLS), with a
// certificate from a throwaway CA made for it; Endpoint() then trusts that CA.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <optional>
#include <cstdint>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "store/RedisConnection.hpp"
#include "store/TestCertificates.hpp"

namespace medicall::test {

struct RedisServerOptions {
  bool appendOnly = false;
  bool tls = false;                 // TLS only: --port 0 --tls-port
  bool clientCertificates = false;  // with tls: tls-auth-clients yes (Endpoint() presents one)
  std::string password;             // --requirepass (Endpoint() carries it)
  std::string serverNames = "IP:127.0.0.1,DNS:localhost";  // with tls: its certificate's names
  std::string host = "127.0.0.1";                          // Endpoint()'s (one the names cover)

  // RedisServerOptions::Tls().Password("pw") and the like.
  static RedisServerOptions Tls() {
    RedisServerOptions o;
    o.tls = true;
    return o;
  }
  RedisServerOptions& AppendOnly() { return appendOnly = true, *this; }
  RedisServerOptions& ClientCertificates() { return clientCertificates = true, *this; }
  RedisServerOptions& Password(std::string value) { return password = std::move(value), *this; }
  RedisServerOptions& ServerNames(std::string names, std::string endpointHost) {
    serverNames = std::move(names);
    host = std::move(endpointHost);
    return *this;
  }
};

class RedisServerProcess {
 public:
  explicit RedisServerProcess(bool appendOnly = false)
      : RedisServerProcess(appendOnly ? RedisServerOptions().AppendOnly() : RedisServerOptions()) {}
  explicit RedisServerProcess(RedisServerOptions options) : options_(std::move(options)) {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() / ("medicall-redis-" + std::to_string(rd()));
    std::filesystem::create_directories(dir_);
    try {
      port_ = FreePort();
      if (options_.tls) {
        certificates_.emplace(dir_ / "pki", options_.serverNames);
        std::string error;
        store::RedisTlsFiles files{certificates_->CaFile(), "", ""};
        if (options_.clientCertificates) {
          files.certFile = certificates_->ClientCert();
          files.keyFile = certificates_->ClientKey();
        }
        tls_ = store::RedisTlsContext::Load(files, error);
        if (!tls_) throw std::runtime_error(error);
      }
      Start(options_.appendOnly);
    } catch (...) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
      throw;
    }
  }
  ~RedisServerProcess() {
    Kill();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  RedisServerProcess(const RedisServerProcess&) = delete;
  RedisServerProcess& operator=(const RedisServerProcess&) = delete;

  uint16_t Port() const { return port_; }
  store::RedisEndpoint Endpoint() const {
    store::RedisEndpoint e;
    e.host = options_.host;
    e.port = port_;
    e.password = options_.password;
    e.tls = tls_;
    return e;
  }
  // With `tls`: the CA, the server's and a client certificate (rediss:// URLs, negative tests).
  const TestCertificates& Certificates() const { return certificates_.value(); }
  void Kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  // Same port and directory: with append-only on, what was acknowledged comes back.
  void Restart(bool appendOnly) {
    Kill();
    options_.appendOnly = appendOnly;
    Start(appendOnly);
  }

 private:
  static uint16_t FreePort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      ::close(fd);
      throw std::runtime_error("no free loopback port");
    }
    socklen_t len = sizeof(addr);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
  }

  void Start(bool appendOnly) {
    const std::string binary = "/usr/bin/redis-server";
    if (!std::filesystem::exists(binary))
      throw std::runtime_error(
          "redis-server is not installed (apt-get install redis-server; "
          "scripts/install-deps.sh does it)");
    std::vector<std::string> args = {binary, "--bind", "127.0.0.1"};
    if (options_.tls) {
      args.insert(args.end(), {"--port", "0", "--tls-port", std::to_string(port_), "--tls-cert-file",
                               certificates_->ServerCert(), "--tls-key-file", certificates_->ServerKey(),
                               "--tls-ca-cert-file", certificates_->CaFile(), "--tls-auth-clients",
                               options_.clientCertificates ? "yes" : "no"});
    } else {
      args.insert(args.end(), {"--port", std::to_string(port_)});
    }
    if (!options_.password.empty()) args.insert(args.end(), {"--requirepass", options_.password});
    args.insert(args.end(),
                {"--dir", dir_.string(), "--save", "", "--appendonly", appendOnly ? "yes" : "no",
                 "--appendfsync", "always", "--daemonize", "no", "--logfile", (dir_ / "redis.log").string()});
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(binary.c_str(), argv.data());
      ::_exit(127);
    }
    store::RedisConnection probe(Endpoint(), std::chrono::milliseconds(200));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (;;) {
      try {
        probe.Command({"PING"});
        return;
      } catch (const std::exception&) {
        if (std::chrono::steady_clock::now() > deadline) {
          Kill();
          throw std::runtime_error("redis-server did not start (see " + (dir_ / "redis.log").string() + ")");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(600));  // past the reconnect interval
      }
    }
  }

  RedisServerOptions options_;
  std::filesystem::path dir_;
  std::optional<TestCertificates> certificates_;
  std::shared_ptr<const store::RedisTlsContext> tls_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace medicall::test
