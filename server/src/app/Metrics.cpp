#include "app/Metrics.hpp"

#include <fmt/format.h>

namespace medicall::app {

namespace {
bool StartsWith(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

std::vector<std::string> Segments(const std::string& path) {
  std::vector<std::string> out;
  size_t start = 1;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}
}  // namespace

std::string Metrics::RouteOf(const std::string& method, const std::string& path) {
  const auto seg = Segments(path);
  std::string route;
  if (StartsWith(path, "/meetings")) {
    static const char* kNames[] = {"meetings", "{MeetingId}", "attendees", "{AttendeeId}"};
    for (size_t i = 0; i < seg.size() && i < 4; ++i) route += std::string("/") + kNames[i];
    if (seg.size() > 4) route += "/...";
  } else if (StartsWith(path, "/api/roster/")) {
    route = "/api/roster/{roomId}";
  } else if (StartsWith(path, "/api/meetings/") && path.ends_with("/quality")) {
    route = "/api/meetings/{MeetingId}/quality";
  } else if (StartsWith(path, "/control/")) {
    route = "/control/{MeetingId}";
  } else if (path == "/join" || path == "/healthz" || path == "/metrics" || path == "/test/echo" ||
             path == "/events") {
    route = path;
  } else {
    route = "static";
  }
  return MethodLabel(method) + " " + route;
}

std::string Metrics::MethodLabel(const std::string& method) {
  // The method is whatever token the client sent: only the standard ones get their own series.
  static const char* const kKnown[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"};
  for (const char* known : kKnown)
    if (method == known) return method;
  return "OTHER";
}

void Metrics::CountRequest(const std::string& route, int status) {
  std::lock_guard lock(mutex_);
  ++requests_[{route, status}];
}

void Metrics::CountClientEvent(const std::string& name, size_t maxNames) {
  std::lock_guard lock(mutex_);
  if (clientEvents_.size() >= maxNames && !clientEvents_.contains(name)) {
    ++clientEvents_["other"];
    return;
  }
  ++clientEvents_[name];
}

void Metrics::AddSource(std::string name, std::string help, std::string type, std::function<double()> read) {
  std::lock_guard lock(mutex_);
  sources_.push_back({std::move(name), std::move(help), std::move(type), std::move(read)});
}

void Metrics::AddText(std::function<std::string()> render) {
  std::lock_guard lock(mutex_);
  texts_.push_back(std::move(render));
}

std::string Metrics::Render() const {
  std::string out;
  std::lock_guard lock(mutex_);
  out += "# HELP medicall_http_requests_total HTTP requests by route and status.\n";
  out += "# TYPE medicall_http_requests_total counter\n";
  for (const auto& [key, count] : requests_) {
    const auto space = key.first.find(' ');
    out += fmt::format("medicall_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{}\"}} {}\n",
                       key.first.substr(0, space), key.first.substr(space + 1), key.second, count);
  }
  out += "# HELP medicall_client_events_total Events reported by Chime clients to /events.\n";
  out += "# TYPE medicall_client_events_total counter\n";
  for (const auto& [name, count] : clientEvents_)
    out += fmt::format("medicall_client_events_total{{name=\"{}\"}} {}\n", name, count);
  for (const auto& s : sources_) {
    out +=
        fmt::format("# HELP {} {}\n# TYPE {} {}\n{} {}\n", s.name, s.help, s.name, s.type, s.name, s.read());
  }
  for (const auto& render : texts_) out += render();
  return out;
}

}  // namespace medicall::app
