#include "common/Logger.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace medicall::log {
namespace {
std::atomic<Level> gLevel{Level::Info};
std::mutex gWriteMutex;  // log lines only; never taken on the packet path at Info level

const char* LevelName(Level level) {
  switch (level) {
    case Level::Debug:
      return "DEBUG";
    case Level::Info:
      return "INFO";
    case Level::Warn:
      return "WARN";
    case Level::Error:
      return "ERROR";
    default:
      return "";
  }
}
}  // namespace

void SetLevel(Level level) { gLevel.store(level, std::memory_order_relaxed); }
Level GetLevel() { return gLevel.load(std::memory_order_relaxed); }

bool ParseLevel(std::string_view text, Level& out) {
  if (text == "debug")
    out = Level::Debug;
  else if (text == "info")
    out = Level::Info;
  else if (text == "warn")
    out = Level::Warn;
  else if (text == "error")
    out = Level::Error;
  else if (text == "off")
    out = Level::Off;
  else
    return false;
  return true;
}

void Write(Level level, std::string_view tag, std::string_view message) {
  using namespace std::chrono;
  const auto now = system_clock::now();
  const auto secs = system_clock::to_time_t(now);
  const auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
  std::lock_guard lock(gWriteMutex);
  std::fprintf(stderr, "%s.%03dZ %-5s [%.*s] %.*s\n", stamp, static_cast<int>(ms), LevelName(level),
               static_cast<int>(tag.size()), tag.data(), static_cast<int>(message.size()), message.data());
}

}  // namespace medicall::log
