// MeetingMedia, the worker-side root of a meeting, on a fake router: SUBSCRIBE registers the
// attendee's audio with the mixer, the mixer sends through the router, audio RTP feeds the
// participant's uplink view, the levels are named and reported with signal strength (and every
// fifth report the uplink and downlink views), router events become reports, and the meeting counts
// in /metrics until it goes.
#include "media/meeting/MeetingMedia.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <array>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/Clock.hpp"
#include "media/meeting/FakeRouter.hpp"
#include "media/meeting/RecordingMediaListener.hpp"
#include "quality/MediaMetrics.hpp"
#include "webrtc/rtp/RtpPacket.hpp"
#include "webrtc/rtp/RtpPacketBuilder.hpp"

namespace medicall::media::meeting {
namespace {

using testing::FakeRouter;
using testing::FakeRouterLog;
using testing::RecordingMediaListener;

// The meeting's media on a worker loop that is never run (so the mixer's timer never ticks), with its
// reports queued as the handle would post them and delivered by Deliver().
struct MeetingMediaFixture : ::testing::Test {
  std::unique_ptr<MeetingMedia> Make(quality::MediaMetrics* metrics = nullptr,
                                     std::set<std::string> hostMuted = {}) {
    MeetingMedia::Options o;
    o.makeRouter = [this](router::Router::Listener& l) { return std::make_unique<FakeRouter>(log, l); };
    o.metrics = metrics;
    o.hostMuted = std::move(hostMuted);
    o.clock = &clock;
    return std::make_unique<MeetingMedia>(
        worker, std::move(o),
        [this](std::function<void(MeetingMediaListener&)> event) { queued.push_back(std::move(event)); });
  }
  void Deliver() {
    auto events = std::move(queued);
    queued.clear();
    for (auto& e : events) e(listener);
  }
  static router::SubscribeParams Params(const std::string& attendeeId, bool muted = false) {
    router::SubscribeParams p;
    p.attendeeId = attendeeId;
    p.sdpOffer = "v=0 offer";
    p.audioMuted = muted;
    return p;
  }
  // An Opus-typed RTP packet of `ssrc` (the payload is not decoded by these tests).
  webrtc::rtp::RtpPacket Audio(uint16_t seq, uint32_t ssrc = 0xabc) {
    webrtc::rtp::RtpPacketBuilder b;
    b.SetPayloadType(111).SetSequenceNumber(seq).SetTimestamp(960u * seq).SetSsrc(ssrc);
    const std::array<uint8_t, 3> payload{0xf8, 0xff, 0xfe};  // one 20 ms Opus silence frame
    const size_t size = b.Build(payload, wire);
    auto packet = webrtc::rtp::RtpPacket::Parse(std::span<uint8_t>(wire.data(), size));
    EXPECT_TRUE(packet.has_value());
    return *packet;
  }

  boost::asio::io_context worker;
  ManualClock clock;  // a fixed start: the uplink figures fall in the same one-second buckets every run
  FakeRouterLog log;
  RecordingMediaListener listener;
  std::vector<std::function<void(MeetingMediaListener&)>> queued;
  std::array<uint8_t, 1500> wire{};
};

TEST_F(MeetingMediaFixture, OwnsTheRouterAndIsItsListenerAndAudioSink) {
  auto media = Make();
  EXPECT_TRUE(log.created);
  EXPECT_EQ(log.listener, media.get());
  EXPECT_EQ(log.audioSink, media.get());
  EXPECT_TRUE(media->Audio().Running());
  media.reset();
  EXPECT_TRUE(log.destroyed);
}

TEST_F(MeetingMediaFixture, SubscribeAddsAParticipantAndItsAudioToTheMixer) {
  auto media = Make();
  auto answer = media->Subscribe(Params("alice", true));
  EXPECT_EQ(answer.status, 200u);
  EXPECT_EQ(answer.sdpAnswer, "v=0 answer for alice");
  ASSERT_NE(media->Participant("alice"), nullptr);
  EXPECT_FALSE(media->Participant("alice")->HasUplink());
  ASSERT_TRUE(media->Audio().StreamIdOf("alice").has_value());
  const auto id = *media->Audio().StreamIdOf("alice");
  ASSERT_TRUE(media->Audio().Mixer().Status(id).has_value());
  EXPECT_TRUE(media->Audio().Mixer().Status(id)->muted);  // as its SUBSCRIBE said
  media->SetMuted("alice", false);
  EXPECT_FALSE(media->Audio().Mixer().Status(id)->muted);

  media->RemoveAttendee("alice");
  EXPECT_EQ(media->Participant("alice"), nullptr);
  EXPECT_FALSE(media->Audio().StreamIdOf("alice").has_value());
  EXPECT_EQ(log.calls, (std::vector<std::string>{"Subscribe alice", "RemoveAttendee alice"}));
}

TEST_F(MeetingMediaFixture, ARefusedOrFailedSubscribeRegistersNoAudio) {
  auto media = Make();
  log.subscribeStatus = 400;
  EXPECT_EQ(media->Subscribe(Params("alice")).status, 400u);
  EXPECT_FALSE(media->Audio().StreamIdOf("alice").has_value());
  log.subscribeStatus = 200;
  log.subscribeThrows = true;
  const auto failed = media->Subscribe(Params("bob"));
  EXPECT_EQ(failed.status, 500u);
  EXPECT_EQ(failed.description, "internal error");
  EXPECT_FALSE(media->Audio().StreamIdOf("bob").has_value());
}

TEST_F(MeetingMediaFixture, HostMutesGivenAtCreationAndLaterReachTheMixer) {
  auto media = Make(nullptr, {"carol"});
  EXPECT_TRUE(media->Audio().IsHostMuted("carol"));
  media->SetHostMuted("dave", true);
  EXPECT_TRUE(media->Audio().IsHostMuted("dave"));
  media->SetHostMuted("carol", false);
  EXPECT_FALSE(media->Audio().IsHostMuted("carol"));
}

TEST_F(MeetingMediaFixture, DownlinkControlsAndKeyframeRequestsGoToTheRouter) {
  auto media = Make();
  media->SetPaused("alice", {7, 8}, true);
  media->SetPaused("alice", {7}, false);
  media->UpdateSubscriptions("alice", {{"2", 7}, {"3", 9}});
  media->RequestKeyframes({"bob#content", "carol#content"});
  EXPECT_EQ(log.calls,
            (std::vector<std::string>{"Pause alice 7 8", "Resume alice 7", "UpdateSubscription alice 2 7",
                                      "UpdateSubscription alice 3 9", "RequestKeyframeFrom bob#content",
                                      "RequestKeyframeFrom carol#content"}));
}

TEST_F(MeetingMediaFixture, RouterEventsAreReportedNotCalledThrough) {
  auto media = Make();
  router::VideoSource s;
  s.streamId = 5;
  s.attendeeId = "alice";
  log.sources = {s};
  media->OnSourcesChanged();
  media->OnAttendeeDropped("bob");
  media->OnBitrates("carol", {{5, 300000}}, 1200);
  EXPECT_EQ(listener.calls, 0);  // nothing reaches the listener but through the report
  ASSERT_EQ(queued.size(), 3u);
  Deliver();
  ASSERT_EQ(listener.sources.size(), 1u);
  ASSERT_EQ(listener.sources[0].size(), 1u);
  EXPECT_EQ(listener.sources[0][0].streamId, 5u);
  ASSERT_EQ(listener.receiveCodecs.size(), 1u);  // with the codec intersection, for INDEX
  EXPECT_EQ(listener.receiveCodecs[0], (std::vector<webrtc::rtp::VideoCodec>{webrtc::rtp::VideoCodec::kVp8}));
  EXPECT_EQ(listener.dropped, (std::vector<std::string>{"bob"}));
  ASSERT_EQ(listener.bitrates.size(), 1u);
  EXPECT_EQ(listener.bitrates[0].attendeeId, "carol");
  EXPECT_EQ(listener.bitrates[0].availableKbps, 1200u);
  ASSERT_EQ(listener.bitrates[0].streams.size(), 1u);
  EXPECT_EQ(listener.bitrates[0].streams[0].avgBitrateBps, 300000u);
}

TEST_F(MeetingMediaFixture, AudioRtpFeedsTheParticipantsUplinkAndTheLevelsCarryItsSignalStrength) {
  auto media = Make();
  media->Subscribe(Params("alice"));
  media->Subscribe(Params("bob"));
  // Alice sends 50 packets a second for 3 s without loss; Bob sends nothing.
  for (uint16_t seq = 1; seq <= 150; ++seq) {
    log.audioSink->OnAudioRtp("alice", Audio(seq), 0);
    clock.AdvanceMs(20);
  }
  ASSERT_TRUE(media->Participant("alice")->HasUplink());
  EXPECT_FALSE(media->Participant("bob")->HasUplink());
  EXPECT_EQ(media->Participant("alice")->SignalStrength(clock.NowUs()), 2u);

  const auto aliceId = *media->Audio().StreamIdOf("alice");
  const auto bobId = *media->Audio().StreamIdOf("bob");
  const std::vector<audio::AttendeeLevel> levels{
      {aliceId, 30, 0, false}, {bobId, 127, 0, false}, {9999, 1, 0, false}};
  for (int i = 1; i <= 5; ++i) media->OnAudioLevels(levels);
  Deliver();
  ASSERT_EQ(listener.audioReports.size(), 5u);
  const auto& first = listener.audioReports[0];
  ASSERT_EQ(first.levels.size(), 2u);  // the unknown stream id is left out
  EXPECT_EQ(first.levels[0].first, "alice");
  EXPECT_EQ(first.levels[0].second.volume, 30u);
  EXPECT_EQ(first.levels[0].second.signalStrength, 2u);
  EXPECT_EQ(first.levels[1].first, "bob");
  EXPECT_EQ(first.levels[1].second.signalStrength, 0u);  // no audio arrived
  EXPECT_TRUE(first.uplinks.empty());
  EXPECT_TRUE(first.downlinks.empty());
  // The fifth report carries the views: the uplink of whoever sent audio, every downlink.
  const auto& fifth = listener.audioReports[4];
  ASSERT_EQ(fifth.uplinks.size(), 1u);
  EXPECT_EQ(fifth.uplinks[0].attendeeId, "alice");
  EXPECT_TRUE(fifth.uplinks[0].view.hasData);
  EXPECT_EQ(fifth.uplinks[0].view.missed, 0u);
  EXPECT_EQ(fifth.uplinks[0].signalStrength, 2u);
  ASSERT_EQ(fifth.downlinks.size(), 2u);
  EXPECT_EQ(fifth.downlinks[0].nacksReceived, 3u);

  // Leaving ends its uplink view.
  media->RemoveAttendee("alice");
  EXPECT_EQ(media->Participant("alice"), nullptr);
}

TEST_F(MeetingMediaFixture, LevelsOfNobodyKnownAreNotReported) {
  auto media = Make();
  media->OnAudioLevels(std::vector<audio::AttendeeLevel>{{42, 10, 0, false}});
  EXPECT_TRUE(queued.empty());
}

TEST_F(MeetingMediaFixture, TheMixerSendsThroughTheRouter) {
  auto media = Make();
  media->Subscribe(Params("alice"));
  std::array<uint8_t, 128> buffer{};
  buffer[0] = 0x80;
  media->SendAudioRtp("alice", buffer, 40);
  media->SendAudioRtcp("alice", buffer, 28);
  EXPECT_EQ(log.rtpSent["alice"].size(), 40u);
  EXPECT_EQ(log.rtcpSent["alice"].size(), 28u);
}

TEST_F(MeetingMediaFixture, CountsInMetricsUntilItGoes) {
  quality::MediaMetrics metrics;
  log.stats.videoIn = 11;
  log.stats.forwarded = 22;
  auto media = Make(&metrics);
  metrics.Publish(0);
  EXPECT_EQ(metrics.Published(quality::MediaMetrics::kVideoIn), 11u);
  EXPECT_EQ(metrics.Published(quality::MediaMetrics::kVideoOut), 22u);
  media.reset();  // unregistered; its last counts stay in the totals
  log.stats.videoIn = 1000;
  metrics.Publish(0);
  EXPECT_EQ(metrics.Published(quality::MediaMetrics::kVideoIn), 11u);
}

}  // namespace
}  // namespace medicall::media::meeting
