#pragma once
// A Router without sockets for the MeetingMedia tests: it answers SUBSCRIBE with a canned answer and
// audio parameters, and writes every call into a FakeRouterLog that the test owns (so the log
// outlives the router, which MeetingMedia destroys on its worker).
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "media/router/Router.hpp"

namespace medicall::media::meeting::testing {

struct FakeRouterLog {
  router::Router::Listener* listener = nullptr;  // MeetingMedia, while the router exists
  router::Router::AudioSink* audioSink = nullptr;
  bool created = false;
  bool destroyed = false;
  std::vector<std::string> calls;  // "Subscribe alice", "RemoveAttendee alice", ...
  std::map<std::string, std::vector<uint8_t>> rtpSent, rtcpSent;
  std::vector<router::VideoSource> sources;
  router::Router::Stats stats;
  uint32_t subscribeStatus = 200;
  bool subscribeThrows = false;
};

class FakeRouter final : public router::Router {
 public:
  explicit FakeRouter(FakeRouterLog& log, router::Router::Listener& listener) : log_(log) {
    log_.created = true;
    log_.listener = &listener;
  }
  ~FakeRouter() override {
    log_.destroyed = true;
    log_.listener = nullptr;
    log_.audioSink = nullptr;
  }
  FakeRouter(const FakeRouter&) = delete;
  FakeRouter& operator=(const FakeRouter&) = delete;

  router::SubscribeAnswer Subscribe(const router::SubscribeParams& params) override {
    log_.calls.push_back("Subscribe " + params.attendeeId);
    if (log_.subscribeThrows) throw std::runtime_error("offer made the router throw");
    router::SubscribeAnswer a;
    a.status = log_.subscribeStatus;
    if (a.status != 200) return a;
    a.sdpAnswer = "v=0 answer for " + params.attendeeId;
    subscribed_.insert(params.attendeeId);
    return a;
  }
  void RemoveAttendee(const std::string& attendeeId) override {
    log_.calls.push_back("RemoveAttendee " + attendeeId);
    subscribed_.erase(attendeeId);
  }
  std::vector<router::VideoSource> Sources() const override { return log_.sources; }
  void SetAudioMuted(const std::string& attendeeId, bool muted) override {
    log_.calls.push_back("SetAudioMuted " + attendeeId + (muted ? " 1" : " 0"));
  }
  bool RequestKeyframeFrom(const std::string& attendeeId) override {
    log_.calls.push_back("RequestKeyframeFrom " + attendeeId);
    return true;
  }
  void SetPaused(const std::string& attendeeId, const std::vector<uint32_t>& streamIds,
                 bool paused) override {
    std::string call = std::string(paused ? "Pause " : "Resume ") + attendeeId;
    for (uint32_t id : streamIds) call += " " + std::to_string(id);
    log_.calls.push_back(call);
  }
  void UpdateSubscription(const std::string& attendeeId, const std::string& mid, uint32_t streamId) override {
    log_.calls.push_back("UpdateSubscription " + attendeeId + " " + mid + " " + std::to_string(streamId));
  }
  void SetTargetBitrate(const std::string&, uint64_t) override {}
  std::vector<webrtc::rtp::VideoCodec> ReceiveCodecIntersection() const override {
    return {webrtc::rtp::VideoCodec::kVp8};
  }
  void SetVideoPreference(const std::string& attendeeId, const router::VideoPreference& p) override {
    log_.calls.push_back("SetVideoPreference " + attendeeId + " " + p.mid + " " + std::to_string(p.priority) +
                         " " + std::to_string(p.targetBitrateKbps));
  }
  void SetAudioSink(AudioSink* sink) override { log_.audioSink = sink; }
  Stats GetStats() const override { return log_.stats; }
  std::optional<AudioParams> GetAudioParams(const std::string& attendeeId) const override {
    if (!subscribed_.contains(attendeeId)) return std::nullopt;
    AudioParams p;
    p.ssrc = 0x1000 + static_cast<uint32_t>(attendeeId.size());
    p.payloadType = 111;
    p.mid = "0";
    return p;
  }
  bool SendRtpTo(const std::string& attendeeId, std::span<uint8_t> buffer, size_t length) override {
    log_.rtpSent[attendeeId].assign(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(length));
    return subscribed_.contains(attendeeId);
  }
  bool SendRtcpTo(const std::string& attendeeId, std::span<uint8_t> buffer, size_t length) override {
    log_.rtcpSent[attendeeId].assign(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(length));
    return subscribed_.contains(attendeeId);
  }
  std::optional<uint64_t> AvailableOutgoingBitrate(const std::string&) const override { return std::nullopt; }
  std::vector<router::DownlinkView> DownlinkViews() const override {
    std::vector<router::DownlinkView> out;
    for (const auto& id : subscribed_) {
      router::DownlinkView v;
      v.attendeeId = id;
      v.nacksReceived = 3;
      out.push_back(v);
    }
    return out;
  }

 private:
  FakeRouterLog& log_;
  std::set<std::string> subscribed_;
};

}  // namespace medicall::media::meeting::testing
