#include "quality/MediaMetrics.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace medicall::quality {

namespace {

struct Series {
  MediaMetrics::Counter counter;
  const char* name;
  const char* labels;  // "" or `reason="x"`
  const char* type;
  const char* help;
};

constexpr Series kSeries[] = {
    {MediaMetrics::kVideoIn, "medicall_media_rtp_packets_total", "stream=\"video_in\"", "counter",
     "RTP packets the SFU received (video_in) and forwarded (video_out), the mixer took (audio_in) and sent "
     "(audio_out)."},
    {MediaMetrics::kVideoOut, "medicall_media_rtp_packets_total", "stream=\"video_out\"", "", ""},
    {MediaMetrics::kAudioIn, "medicall_media_rtp_packets_total", "stream=\"audio_in\"", "", ""},
    {MediaMetrics::kAudioOut, "medicall_media_rtp_packets_total", "stream=\"audio_out\"", "", ""},
    {MediaMetrics::kRtxSent, "medicall_media_rtx_packets_total", "", "counter",
     "Retransmissions sent for subscribers' NACKs."},
    {MediaMetrics::kNacksSent, "medicall_media_nacks_sent_total", "", "counter",
     "Sequence numbers NACKed to publishers."},
    {MediaMetrics::kNackNotCached, "medicall_media_nacks_unanswered_total", "reason=\"not_cached\"",
     "counter", "Subscribers' NACKed packets not resent, by reason."},
    {MediaMetrics::kNackSuppressed, "medicall_media_nacks_unanswered_total", "reason=\"suppressed\"", "", ""},
    {MediaMetrics::kNackOverBudget, "medicall_media_nacks_unanswered_total", "reason=\"over_budget\"", "",
     ""},
    {MediaMetrics::kPlisSent, "medicall_media_plis_total", "direction=\"sent\"", "counter",
     "Keyframe requests sent to publishers and received from subscribers."},
    {MediaMetrics::kPlisReceived, "medicall_media_plis_total", "direction=\"received\"", "", ""},
    {MediaMetrics::kDropUnknownKind, "medicall_media_dropped_total", "reason=\"unknown_kind\"", "counter",
     "Media packets dropped, by reason."},
    {MediaMetrics::kDropBadStun, "medicall_media_dropped_total", "reason=\"bad_stun\"", "", ""},
    {MediaMetrics::kDropUnknownUfrag, "medicall_media_dropped_total", "reason=\"unknown_ufrag\"", "", ""},
    {MediaMetrics::kDropUnknownAddress, "medicall_media_dropped_total", "reason=\"unknown_address\"", "", ""},
    {MediaMetrics::kDropUnknownStream, "medicall_media_dropped_total", "reason=\"unknown_stream\"", "", ""},
    {MediaMetrics::kDropForeignSsrc, "medicall_media_dropped_total", "reason=\"foreign_ssrc\"", "", ""},
    {MediaMetrics::kDropAudioRejected, "medicall_media_dropped_total", "reason=\"audio_rejected\"", "", ""},
    {MediaMetrics::kDtlsHandshakeFailed, "medicall_media_dtls_failures_total", "reason=\"handshake\"",
     "counter", "Transports closed because DTLS failed or timed out."},
    {MediaMetrics::kDtlsTimeout, "medicall_media_dtls_failures_total", "reason=\"timeout\"", "", ""},
    {MediaMetrics::kMixerTicks, "medicall_media_mixer_ticks_total", "", "counter",
     "Audio mixer ticks run (20 ms each)."},
    {MediaMetrics::kMixerTicksDropped, "medicall_media_mixer_ticks_dropped_total", "", "counter",
     "Mixer ticks dropped after a worker stall."},
    {MediaMetrics::kTransportsActive, "medicall_media_transports_active", "", "gauge",
     "WebRTC transports registered with the media port."},
};

}  // namespace

uint64_t MediaMetrics::Register(Reader reader) {
  const uint64_t id = nextId_++;
  readers_.emplace(id, std::move(reader));
  return id;
}

void MediaMetrics::Unregister(uint64_t id) {
  auto it = readers_.find(id);
  if (it == readers_.end()) return;
  Counts last{};
  it->second(last);
  last[kTransportsActive] = 0;  // a gauge: gone with its source
  for (size_t i = 0; i < kCount; ++i) retired_[i] += last[i];
  readers_.erase(it);
}

void MediaMetrics::Publish(int64_t loopLagUs) {
  Counts sum = retired_;
  for (const auto& [id, read] : readers_) read(sum);
  for (size_t i = 0; i < kCount; ++i) published_[i].store(sum[i], std::memory_order_relaxed);
  lags_[lagIndex_++ % kLagWindow] = std::max<int64_t>(loopLagUs, 0);
  lagUs_.store(std::max<int64_t>(loopLagUs, 0), std::memory_order_relaxed);
  maxLagUs_.store(*std::max_element(lags_.begin(), lags_.end()), std::memory_order_relaxed);
}

void MediaMetrics::CountClientMetric(bool accepted) {
  (accepted ? clientMetricsAccepted_ : clientMetricsDropped_).fetch_add(1, std::memory_order_relaxed);
}

std::string MediaMetrics::Render() const {
  const MediaMetrics* self = this;
  return Render(std::span<const MediaMetrics* const>(&self, 1));
}

std::string MediaMetrics::Render(std::span<const MediaMetrics* const> workers) {
  auto sum = [&](Counter c) {
    uint64_t total = 0;
    for (const MediaMetrics* w : workers) total += w->Published(c);
    return total;
  };
  int64_t lagUs = 0, maxLagUs = 0;
  uint64_t accepted = 0, dropped = 0;
  for (const MediaMetrics* w : workers) {
    lagUs = std::max(lagUs, w->LoopLagUs());
    maxLagUs = std::max(maxLagUs, w->MaxLoopLagUs());
    accepted += w->clientMetricsAccepted_.load(std::memory_order_relaxed);
    dropped += w->clientMetricsDropped_.load(std::memory_order_relaxed);
  }
  std::string out;
  for (const Series& s : kSeries) {
    if (*s.type) out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", s.name, s.help, s.name, s.type);
    out += *s.labels ? fmt::format("{}{{{}}} {}\n", s.name, s.labels, sum(s.counter))
                     : fmt::format("{} {}\n", s.name, sum(s.counter));
  }
  out += "# HELP medicall_media_mixer_tick_seconds Time the audio mixer spent per tick (sum and count).\n";
  out += "# TYPE medicall_media_mixer_tick_seconds summary\n";
  out += fmt::format("medicall_media_mixer_tick_seconds_sum {:.6f}\n",
                     static_cast<double>(sum(kMixerBusyUs)) / 1e6);
  out += fmt::format("medicall_media_mixer_tick_seconds_count {}\n", sum(kMixerTicks));
  out +=
      "# HELP medicall_media_worker_loop_lag_seconds How late a media worker ran a task posted to it "
      "(last, the largest of the workers).\n";
  out += "# TYPE medicall_media_worker_loop_lag_seconds gauge\n";
  out += fmt::format("medicall_media_worker_loop_lag_seconds {:.6f}\n", static_cast<double>(lagUs) / 1e6);
  out += "# HELP medicall_media_worker_loop_lag_max_seconds The largest loop lag of the last minute.\n";
  out += "# TYPE medicall_media_worker_loop_lag_max_seconds gauge\n";
  out +=
      fmt::format("medicall_media_worker_loop_lag_max_seconds {:.6f}\n", static_cast<double>(maxLagUs) / 1e6);
  out +=
      "# HELP medicall_client_metrics_total CLIENT_METRIC frames from clients, accepted or dropped as "
      "invalid.\n";
  out += "# TYPE medicall_client_metrics_total counter\n";
  out += fmt::format("medicall_client_metrics_total{{result=\"accepted\"}} {}\n", accepted);
  out += fmt::format("medicall_client_metrics_total{{result=\"dropped\"}} {}\n", dropped);
  return out;
}

}  // namespace medicall::quality
