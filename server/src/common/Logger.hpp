#pragma once
// Levelled logging with subsystem tags (ice, dtls, srtp, rtp, rtcp, signaling, api, store, http).
// Never log health data (names, chat) above debug level.
#include <fmt/format.h>
#include <string_view>

namespace medicall::log {

enum class Level { Debug = 0, Info = 1, Warn = 2, Error = 3, Off = 4 };

void SetLevel(Level level);
Level GetLevel();
bool ParseLevel(std::string_view text, Level& out);
void Write(Level level, std::string_view tag, std::string_view message);

template <typename... Args>
void Debug(std::string_view tag, fmt::format_string<Args...> f, Args&&... args) {
  if (GetLevel() <= Level::Debug) Write(Level::Debug, tag, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void Info(std::string_view tag, fmt::format_string<Args...> f, Args&&... args) {
  if (GetLevel() <= Level::Info) Write(Level::Info, tag, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void Warn(std::string_view tag, fmt::format_string<Args...> f, Args&&... args) {
  if (GetLevel() <= Level::Warn) Write(Level::Warn, tag, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void Error(std::string_view tag, fmt::format_string<Args...> f, Args&&... args) {
  if (GetLevel() <= Level::Error) Write(Level::Error, tag, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace medicall::log
