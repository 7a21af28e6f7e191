#pragma once
// Prometheus text-format metrics: HTTP requests by route and status, plus gauges that other
// parts of the server report through callbacks when /metrics is scraped.
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace medicall::app {

class Metrics {
 public:
  // Collapses ids in a path to a route template, e.g. /meetings/{MeetingId}/attendees.
  // "GET /meetings/{MeetingId}"; methods outside the standard set count as OTHER, so a client
  // cannot create unbounded series.
  static std::string RouteOf(const std::string& method, const std::string& path);
  static std::string MethodLabel(const std::string& method);

  void CountRequest(const std::string& route, int status);
  // Client events by name; beyond `maxNames` distinct names they count as "other".
  void CountClientEvent(const std::string& name, size_t maxNames);
  // A gauge or counter read at scrape time: name, help, type ("gauge"/"counter"), value source.
  void AddSource(std::string name, std::string help, std::string type, std::function<double()> read);
  // Whole series in the text format (HELP, TYPE, labelled lines), rendered at scrape time.
  void AddText(std::function<std::string()> render);
  std::string Render() const;

 private:
  struct Source {
    std::string name, help, type;
    std::function<double()> read;
  };
  mutable std::mutex mutex_;  // control plane only, never on the packet path
  std::map<std::pair<std::string, int>, uint64_t> requests_;
  std::map<std::string, uint64_t> clientEvents_;
  std::vector<Source> sources_;
  std::vector<std::function<std::string()>> texts_;
};

}  // namespace medicall::app
