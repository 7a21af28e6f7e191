#include "clinic/TimeText.hpp"

#include <charconv>
#include <ctime>

#include <fmt/format.h>

namespace medicall::clinic {

std::string TimeText::Iso(int64_t unixMs) {
  const time_t seconds = static_cast<time_t>(unixMs / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, unixMs % 1000);
}

namespace {

bool Digits(std::string_view text, size_t at, size_t count, int& out) {
  if (text.size() < at + count) return false;
  out = 0;
  for (size_t i = at; i < at + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

}  // namespace

std::optional<int64_t> TimeText::Parse(std::string_view text) {
  if (text.empty() || text.size() > 40) return std::nullopt;
  if (text.find_first_not_of("0123456789") == std::string_view::npos) {
    int64_t ms = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
    if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
    return ms;
  }
  std::tm tm{};
  int year, month, day, hour, minute, second = 0, millis = 0;
  if (!Digits(text, 0, 4, year) || text.size() < 16 || text[4] != '-' || !Digits(text, 5, 2, month) ||
      text[7] != '-' || !Digits(text, 8, 2, day) || (text[10] != 'T' && text[10] != ' ') ||
      !Digits(text, 11, 2, hour) || text[13] != ':' || !Digits(text, 14, 2, minute))
    return std::nullopt;
  size_t at = 16;
  if (at < text.size() && text[at] == ':') {
    if (!Digits(text, at + 1, 2, second)) return std::nullopt;
    at += 3;
    if (at < text.size() && text[at] == '.') {
      size_t end = at + 1;
      while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
      if (end == at + 1) return std::nullopt;
      int scale = 100;
      for (size_t i = at + 1; i < end && i < at + 4; ++i, scale /= 10) millis += (text[i] - '0') * scale;
      at = end;
    }
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
    return std::nullopt;
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  int64_t seconds;
  if (at == text.size()) {
    tm.tm_isdst = -1;
    seconds = static_cast<int64_t>(mktime(&tm));
  } else if (text[at] == 'Z' && at + 1 == text.size()) {
    seconds = static_cast<int64_t>(timegm(&tm));
  } else if ((text[at] == '+' || text[at] == '-') && text.size() == at + 6 && text[at + 3] == ':') {
    int oh, om;
    if (!Digits(text, at + 1, 2, oh) || !Digits(text, at + 4, 2, om) || oh > 23 || om > 59)
      return std::nullopt;
    const int offset = (oh * 60 + om) * 60 * (text[at] == '+' ? 1 : -1);
    seconds = static_cast<int64_t>(timegm(&tm)) - offset;
  } else {
    return std::nullopt;
  }
  return seconds * 1000 + millis;
}

int64_t TimeText::LocalMidnight(int64_t unixMs) {
  const time_t seconds = static_cast<time_t>(unixMs / 1000);
  std::tm tm{};
  localtime_r(&seconds, &tm);
  tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
  tm.tm_isdst = -1;
  return static_cast<int64_t>(mktime(&tm)) * 1000;
}

}  // namespace medicall::clinic
