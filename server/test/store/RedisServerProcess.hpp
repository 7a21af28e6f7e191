#pragma once
// A real redis-server for tests: started on a free loopback port with its files in a temporary
// directory, stopped (SIGKILL, then reaped) by the destructor. A missing redis-server binary
// fails the test that starts it (Debian package redis-server, installed by scripts/install-deps.sh).
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "store/RedisConnection.hpp"

namespace medicall::test {

class RedisServerProcess {
 public:
  explicit RedisServerProcess(bool appendOnly = false) {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() / ("medicall-redis-" + std::to_string(rd()));
    std::filesystem::create_directories(dir_);
    port_ = FreePort();
    Start(appendOnly);
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
    e.port = port_;
    return e;
  }
  void Kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  // Same port and directory: with append-only on, what was acknowledged comes back.
  void Restart(bool appendOnly) {
    Kill();
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
    std::vector<std::string> args = {binary,
                                     "--bind",
                                     "127.0.0.1",
                                     "--port",
                                     std::to_string(port_),
                                     "--dir",
                                     dir_.string(),
                                     "--save",
                                     "",
                                     "--appendonly",
                                     appendOnly ? "yes" : "no",
                                     "--appendfsync",
                                     "always",
                                     "--daemonize",
                                     "no",
                                     "--logfile",
                                     (dir_ / "redis.log").string()};
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
        if (std::chrono::steady_clock::now() > deadline)
          throw std::runtime_error("redis-server did not start");
        std::this_thread::sleep_for(std::chrono::milliseconds(600));  // past the reconnect interval
      }
    }
  }

  std::filesystem::path dir_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace medicall::test
