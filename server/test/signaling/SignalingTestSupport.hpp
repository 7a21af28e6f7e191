#pragma once
// Test doubles for the signaling tests: a fake WebSocket transport that records
// what a session sends, and frame builders for what the SDK sends.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/Clock.hpp"
#include "signaling/FrameCodec.hpp"
#include "signaling/SignalingSession.hpp"

namespace medicall::signaling::test {

using Type = proto::SdkSignalFrame;

using medicall::ManualClock;

// Moves `clock` forward until its wall time reads `unixUs`.
inline void SetWallUs(ManualClock& clock, int64_t unixUs) { clock.AdvanceUs(unixUs - clock.WallNowUs()); }

struct FakeTransport {
  std::vector<std::string> sent;
  std::optional<std::pair<uint16_t, std::string>> closed;
  size_t sentWhenClosed = 0;  // frames sent before the close (an AUDIO_STATUS must come first)
  // Timers the session set (runAfter): delay and task, run by RunTimers.
  std::vector<std::pair<int64_t, std::function<void()>>> timers;

  SignalingSession::Transport Make() {
    return {[this](std::string bytes) { sent.push_back(std::move(bytes)); },
            [this](uint16_t code, std::string reason) {
              closed.emplace(code, std::move(reason));
              sentWhenClosed = sent.size();
            },
            [this](int64_t delayUs, std::function<void()> task) {
              timers.emplace_back(delayUs, std::move(task));
            }};
  }
  // A transport without a timer: held-back work waits for the next frame.
  SignalingSession::Transport MakeWithoutTimer() {
    auto t = Make();
    t.runAfter = nullptr;
    return t;
  }
  // Fires every timer set so far (the test moves its clock first).
  void RunTimers() {
    auto due = std::move(timers);
    timers.clear();
    for (auto& [delay, task] : due) task();
  }
  // Every frame sent so far, decoded (a frame that does not decode fails the test).
  std::vector<proto::SdkSignalFrame> Frames() const {
    std::vector<proto::SdkSignalFrame> out;
    for (const auto& bytes : sent) {
      auto decoded = FrameCodec::Decode(bytes);
      EXPECT_TRUE(decoded) << ToString(decoded.error);
      if (decoded) out.push_back(*decoded.frame);
    }
    return out;
  }
  std::vector<proto::SdkSignalFrame> FramesOfType(Type::Type type) const {
    std::vector<proto::SdkSignalFrame> out;
    for (auto& f : Frames())
      if (f.type() == type) out.push_back(f);
    return out;
  }
  // AUDIO_STREAM_ID_INFO entries received so far, flattened.
  std::vector<proto::SdkAudioStreamIdInfo> Presence() const {
    std::vector<proto::SdkAudioStreamIdInfo> out;
    for (auto& f : FramesOfType(Type::AUDIO_STREAM_ID_INFO))
      for (auto& s : f.audio_stream_id_info().streams()) out.push_back(s);
    return out;
  }
  void Clear() { sent.clear(); }
};

inline std::string Encoded(proto::SdkSignalFrame frame) {
  frame.set_timestamp_ms(1);
  return FrameCodec::Encode(frame);
}

// The SDK's JOIN. `audioSessionId` is random per DefaultSignalingClient and the same on its
// reconnects (0: the field left out).
inline std::string JoinFrame(uint64_t audioSessionId = 2757148593u) {
  proto::SdkSignalFrame f;
  f.set_type(Type::JOIN);
  auto* join = f.mutable_join();
  join->set_protocol_version(2);
  join->set_flags(proto::HAS_STREAM_UPDATE);
  join->set_wants_compressed_sdp(true);
  if (audioSessionId != 0) join->set_audio_session_id(audioSessionId);
  join->mutable_client_details()->set_chime_sdk_version("3.32.0");
  return Encoded(f);
}

inline std::string SubscribeFrame(const std::string& sdp = "v=0\r\no=mozilla-chrome 1 2 IN IP4 127.0.0.1\r\n",
                                  std::optional<bool> audioMuted = false) {
  proto::SdkSignalFrame f;
  f.set_type(Type::SUBSCRIBE);
  auto* sub = f.mutable_sub();
  sub->set_duplex(proto::DUPLEX);
  sub->set_sdp_offer(sdp);
  sub->set_audio_host("127.0.0.1:3478");
  if (audioMuted) sub->set_audio_muted(*audioMuted);
  auto* audio = sub->add_send_streams();
  audio->set_stream_id(1);
  audio->set_group_id(1);
  audio->set_track_label("AmazonChimeExpressAudio");
  audio->set_media_type(proto::AUDIO);
  auto* video = sub->add_send_streams();
  video->set_stream_id(2);
  video->set_group_id(2);
  video->set_track_label("AmazonChimeExpressVideo");
  video->set_media_type(proto::VIDEO);
  sub->add_receive_stream_ids(0);
  sub->add_receive_stream_ids(10);
  return Encoded(f);
}

inline std::string PingFrame(uint32_t id) {
  proto::SdkSignalFrame f;
  f.set_type(Type::PING_PONG);
  f.mutable_ping_pong()->set_type(proto::PING);
  f.mutable_ping_pong()->set_ping_id(id);
  return Encoded(f);
}

inline std::string LeaveFrame() {
  proto::SdkSignalFrame f;
  f.set_type(Type::LEAVE);
  f.mutable_leave();
  return Encoded(f);
}

inline std::string MuteFrame(bool muted) {
  proto::SdkSignalFrame f;
  f.set_type(Type::AUDIO_CONTROL);
  f.mutable_audio_control()->set_muted(muted);
  return Encoded(f);
}

struct DataPayload {
  DataPayload(std::string t = "chat", std::string d = "hello", uint32_t lifetime = 0, std::string forged = "")
      : topic(std::move(t)), data(std::move(d)), lifetimeMs(lifetime), forgedSender(std::move(forged)) {}
  std::string topic;
  std::string data;
  uint32_t lifetimeMs;
  std::string forgedSender;  // a sender id the client has no business setting
};

inline std::string DataFrame(const std::vector<DataPayload>& payloads) {
  proto::SdkSignalFrame f;
  f.set_type(Type::DATA_MESSAGE);
  for (const auto& p : payloads) {
    auto* m = f.mutable_data_message()->add_messages();
    m->set_topic(p.topic);
    m->set_data(p.data);
    if (p.lifetimeMs) m->set_lifetime_ms(p.lifetimeMs);
    if (!p.forgedSender.empty()) {
      m->set_sender_attendee_id(p.forgedSender);
      m->set_sender_external_user_id(p.forgedSender);
      m->set_ingest_time_ns(42);
    }
  }
  return Encoded(f);
}

inline SubscribeResult Answer(const std::string& sdp = "v=0\r\na=ice-lite\r\n") {
  SubscribeResult r;
  r.sdpAnswer = sdp;
  proto::SdkTrackMapping track;
  track.set_stream_id(10);
  track.set_ssrc(0x11223344);
  track.set_track_label("v_1");
  r.tracks.push_back(track);
  proto::SdkStreamAllocation allocation;
  allocation.set_track_label("AmazonChimeExpressVideo");
  allocation.set_stream_id(11);
  allocation.set_group_id(2);
  r.allocations.push_back(allocation);
  return r;
}

}  // namespace medicall::signaling::test
