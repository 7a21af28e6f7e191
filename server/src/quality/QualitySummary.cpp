#include "quality/QualitySummary.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>

namespace medicall::quality {

using store::QualityColumn;
using store::QualitySample;

namespace {

struct Run {
  size_t first = 0, last = 0;  // indexes into the attendee's samples
  double sum = 0;
  int count = 0;
};

// Runs of samples whose figure (`valueOf`) is at least `threshold`; one sample below (or without the
// figure) between two above does not end a run.
template <typename ValueOf>
std::vector<Run> RunsOf(const std::vector<const QualitySample*>& samples, ValueOf valueOf, double threshold) {
  std::vector<Run> runs;
  std::optional<Run> current;
  size_t misses = 0;
  for (size_t i = 0; i < samples.size(); ++i) {
    const std::optional<double> v = valueOf(*samples[i]);
    if (v && *v >= threshold) {
      if (!current) current = Run{i, i, 0, 0};
      current->last = i;
      current->sum += *v;
      ++current->count;
      misses = 0;
    } else if (current && ++misses > 1) {
      runs.push_back(*current);
      current.reset();
      misses = 0;
    }
  }
  if (current) runs.push_back(*current);
  return runs;
}

std::vector<Run> RunsOf(const std::vector<const QualitySample*>& samples, QualityColumn column,
                        double threshold) {
  return RunsOf(
      samples, [column](const QualitySample& s) { return s[column]; }, threshold);
}

// What the attendee lost of what we sent it: its client's figure, else what its receiver reports told
// the server (a client that sends no CLIENT_METRIC, or not that one).
std::optional<double> DownloadLoss(const QualitySample& s) {
  const auto& client = s[QualityColumn::kDownlinkLossPct];
  return client ? client : s[QualityColumn::kServerDownLossPct];
}

std::string Possessive(const std::string& name) {
  return name + (!name.empty() && (name.back() == 's' || name.back() == 'S') ? "'" : "'s");
}

}  // namespace

std::string QualitySummary::FormatTime(int64_t atMs, int utcOffsetMinutes, bool withSeconds) {
  int64_t seconds = atMs / 1000 + static_cast<int64_t>(utcOffsetMinutes) * 60;
  int64_t ofDay = ((seconds % 86400) + 86400) % 86400;
  const int h = static_cast<int>(ofDay / 3600), m = static_cast<int>(ofDay / 60 % 60),
            s = static_cast<int>(ofDay % 60);
  return withSeconds ? fmt::format("{:02}:{:02}:{:02}", h, m, s) : fmt::format("{:02}:{:02}", h, m);
}

std::vector<QualitySummary::Finding> QualitySummary::Summarize(
    const std::vector<QualitySample>& samples, const std::vector<store::QualityEvent>& events,
    const std::map<std::string, std::string>& names, int utcOffsetMinutes, const Thresholds& t) {
  std::map<std::string, std::vector<const QualitySample*>> byAttendee;
  for (const auto& s : samples) byAttendee[s.attendeeId].push_back(&s);
  auto nameOf = [&](const std::string& id) {
    auto it = names.find(id);
    if (it != names.end() && !it->second.empty()) return it->second;
    return "Attendee " + id.substr(0, 8);
  };
  auto span = [&](int64_t from, int64_t to) {
    const bool seconds = to - from < 120'000;
    const std::string a = FormatTime(from, utcOffsetMinutes, seconds);
    const std::string b = FormatTime(to, utcOffsetMinutes, seconds);
    return a == b ? "at " + a : "from " + a + " to " + b;
  };

  std::vector<Finding> out;
  for (const auto& entry : byAttendee) {
    const std::string& id = entry.first;
    const std::vector<const QualitySample*>& list = entry.second;  // captured below (not a binding)
    const std::string who = Possessive(nameOf(id));
    // A sample closes its interval: the run began about one interval before its first sample.
    auto startOf = [&](const Run& r) {
      return r.first > 0 ? list[r.first - 1]->atMs : list[r.first]->atMs - 5000;
    };
    for (const Run& r : RunsOf(list, QualityColumn::kUplinkLossPct, t.lossPct)) {
      Finding f{id, "upload_loss", startOf(r), list[r.last]->atMs, r.sum / r.count, {}};
      f.text = fmt::format("{} upload was lost {}% {}", who, static_cast<int>(std::lround(f.value)),
                           span(f.fromMs, f.toMs));
      std::optional<double> lowest;
      for (size_t i = r.first; i <= r.last; ++i)
        if (const auto& fps = (*list[i])[QualityColumn::kSendFps])
          lowest = lowest ? std::min(*lowest, *fps) : *fps;
      if (lowest && *lowest < t.lowFps)
        f.text += fmt::format("; video fell to {} fps", static_cast<int>(std::lround(*lowest)));
      f.text += ".";
      out.push_back(std::move(f));
    }
    for (const Run& r : RunsOf(list, DownloadLoss, t.lossPct)) {
      Finding f{id, "download_loss", startOf(r), list[r.last]->atMs, r.sum / r.count, {}};
      f.text = fmt::format("{} download was lost {}% {}.", who, static_cast<int>(std::lround(f.value)),
                           span(f.fromMs, f.toMs));
      out.push_back(std::move(f));
    }
    for (const Run& r : RunsOf(list, QualityColumn::kRttMs, t.rttMs)) {
      Finding f{id, "rtt", startOf(r), list[r.last]->atMs, r.sum / r.count, {}};
      f.text = fmt::format("{} round trip was {} ms {}.", who, static_cast<int>(std::lround(f.value)),
                           span(f.fromMs, f.toMs));
      out.push_back(std::move(f));
    }
    double freezes = 0;
    for (const auto* s : list) freezes += (*s)[QualityColumn::kFreezes].value_or(0);
    const auto count = static_cast<int>(std::lround(freezes));
    if (count > 0) {
      Finding f{id, "freezes", list.front()->atMs, list.back()->atMs, static_cast<double>(count), {}};
      f.text = fmt::format("{} received video froze {} {}.", who, count, count == 1 ? "time" : "times");
      out.push_back(std::move(f));
    }
  }
  for (const auto& e : events) {
    if (e.kind != "dropped") continue;
    Finding f{e.attendeeId, "dropped", e.atMs, e.atMs, 0, {}};
    f.text = fmt::format("{} connection dropped at {}.", Possessive(nameOf(e.attendeeId)),
                         FormatTime(e.atMs, utcOffsetMinutes, true));
    out.push_back(std::move(f));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Finding& a, const Finding& b) { return a.fromMs < b.fromMs; });
  return out;
}

}  // namespace medicall::quality
