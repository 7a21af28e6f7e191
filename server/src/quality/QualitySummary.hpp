#pragma once
// The plain-language part of the call-quality report: what went wrong, for whom, and when, e.g.
//   "Bob's upload was lost 12% from 10:04:10 to 10:07:00; video fell to 4 fps."
// from a meeting's samples (in time order) and events. Download loss is the client's figure, or the
// server's (from the attendee's receiver reports) in samples without it. Each finding is a run of consecutive
// samples of one attendee past a threshold (a single good sample inside a run does not split it). Times are
// printed in the zone `utcOffsetMinutes` east of UTC: HH:MM:SS, or HH:MM for runs of two minutes and more.
// Names come from the caller (the meetings store); an attendee without one is called by the start of its id.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "store/QualityStore.hpp"

namespace medicall::quality {

// What is worth telling.
struct QualityThresholds {
  double lossPct = 5;  // upload or download loss
  double rttMs = 300;  // round trip
  double lowFps = 10;  // "video fell to N fps" below this, during a loss run
};

class QualitySummary {
 public:
  using Thresholds = QualityThresholds;
  struct Finding {
    std::string attendeeId;
    std::string kind;  // "upload_loss", "download_loss", "rtt", "freezes", "dropped"
    int64_t fromMs = 0, toMs = 0;
    double value = 0;  // mean loss %, mean RTT ms, freeze count
    std::string text;
  };

  static std::vector<Finding> Summarize(const std::vector<store::QualitySample>& samples,
                                        const std::vector<store::QualityEvent>& events,
                                        const std::map<std::string, std::string>& names,
                                        int utcOffsetMinutes = 0, const Thresholds& thresholds = {});
  // "HH:MM:SS" (or "HH:MM") of a Unix time in ms, in the given zone.
  static std::string FormatTime(int64_t atMs, int utcOffsetMinutes, bool withSeconds);
};

}  // namespace medicall::quality
