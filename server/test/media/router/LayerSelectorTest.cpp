// Issue 11: the simulcast layer a subscription forwards. Switches happen only at a key frame of the
// target layer, and the output the receiver sees (RtpRewriter) keeps consecutive sequence numbers and
// timestamps that follow the clock across the switch. Deterministic clock, no sockets.
#include "media/router/LayerSelector.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "common/Clock.hpp"
#include "webrtc/rtp/RtpPacketBuilder.hpp"
#include "webrtc/rtp/RtpRewriter.hpp"

namespace medicall::media::router {
namespace {

using webrtc::rtp::RtpPacket;
using webrtc::rtp::RtpPacketBuilder;
using webrtc::rtp::RtpRewriter;
using Info = LayerSelector::LayerInfo;

struct Layer {
  uint32_t ssrc;
  uint16_t seq;
  uint32_t ts;
};

struct Output {
  uint16_t seq;
  uint32_t ts;
  int layer;
};

// Sends one frame (one packet) of `layer` through selector and rewriter at the clock's time.
class Pipeline {
 public:
  std::array<Layer, 3> layers{{{0x1111, 100, 1000}, {0x2222, 40000, 777777}, {0x3333, 65530, 5}}};
  LayerSelector selector;
  RtpRewriter rewriter{0xABCD, 90000, 500, 90000};
  ManualClock clock;
  std::vector<Output> out;

  void Frame(int layer, bool keyframe) {
    Layer& l = layers[static_cast<size_t>(layer)];
    RtpPacketBuilder b;
    b.SetPayloadType(96).SetSsrc(l.ssrc).SetSequenceNumber(l.seq++).SetTimestamp(l.ts);
    l.ts += 3000;  // 30 fps at 90 kHz
    std::array<uint8_t, 64> bytes{};
    const size_t size = b.Build(std::vector<uint8_t>{keyframe ? uint8_t{1} : uint8_t{0}}, bytes);
    auto packet = *RtpPacket::Parse(std::span<uint8_t>(bytes.data(), size));
    if (!selector.Accept(layer, keyframe)) return;
    ASSERT_TRUE(rewriter.Rewrite(packet, clock.NowMs()));
    out.push_back({packet.SequenceNumber(), packet.Timestamp(), layer});
  }
  // One 33 ms step: a frame on every layer (keyframeOn: the layer that starts a key frame, or -1).
  void Step(int keyframeOn = -1) {
    clock.AdvanceMs(33);
    for (int i = 0; i < 3; ++i) Frame(i, i == keyframeOn);
  }
};

void ExpectContinuous(const std::vector<Output>& out) {
  for (size_t i = 1; i < out.size(); ++i) {
    EXPECT_EQ(static_cast<uint16_t>(out[i].seq - out[i - 1].seq), 1) << "at output " << i;
    const uint32_t dt = out[i].ts - out[i - 1].ts;
    EXPECT_GE(dt, 1u) << "at output " << i;
    EXPECT_LE(dt, 3000u + 90u * 40) << "at output " << i;  // about one frame at most
  }
}

TEST(LayerSelectorTest, SwitchesOnlyAtAKeyframeOfTheTargetWithContinuousOutput) {
  Pipeline p;
  const std::array<Info, 3> live{{{true, 150'000}, {true, 500'000}, {true, 1'200'000}}};
  EXPECT_EQ(p.selector.Select(live, 0, 0, p.clock.NowMs()), 0);
  // Nothing until the first key frame of the target.
  p.Step();
  p.Step(2);
  EXPECT_TRUE(p.out.empty());
  p.Step(0);
  ASSERT_EQ(p.out.size(), 1u);
  EXPECT_EQ(p.out.back().layer, 0);
  p.Step();
  // Up to the high layer: layer 0 goes on until the high layer's key frame, then only layer 2.
  EXPECT_EQ(p.selector.Select(live, 2, 0, p.clock.NowMs()), 2);
  p.Step(1);  // a key frame of another layer switches nothing
  p.Step();
  EXPECT_EQ(p.out.back().layer, 0);
  p.Step(2);
  EXPECT_EQ(p.out.back().layer, 2);
  EXPECT_EQ(p.selector.Current(), 2);
  for (int i = 0; i < 3; ++i) p.Step();
  // Down again, at the low layer's key frame.
  EXPECT_EQ(p.selector.Select(live, 0, 0, p.clock.NowMs()), 0);
  p.Step();
  EXPECT_EQ(p.out.back().layer, 2);
  p.Step(0);
  EXPECT_EQ(p.out.back().layer, 0);
  p.Step();
  for (const Output& o : p.out) EXPECT_NE(o.layer, 1);
  // One stream for the receiver: consecutive numbers, timestamps following the 33 ms clock.
  ExpectContinuous(p.out);
  EXPECT_EQ(p.selector.Switches(), 2u);
}

TEST(LayerSelectorTest, ALayerThatIsNotSentFallsBackToTheNearestLiveOne) {
  LayerSelector s;
  std::array<Info, 3> layers{{{true, 150'000}, {false, 0}, {false, 0}}};
  EXPECT_EQ(s.Select(layers, 2, 0, 0), 0);  // asked for hi, only low is live
  layers[1].live = true;
  EXPECT_EQ(s.Select(layers, 2, 0, 0), 1);
  layers[0].live = false;
  layers[1].live = false;
  layers[2].live = true;
  EXPECT_EQ(s.Select(layers, 0, 0, 0), 2);  // nothing below: the nearest above
  layers[2].live = false;
  EXPECT_EQ(s.Select(layers, 1, 0, 0), 1);  // nothing live: what was asked
}

// A sender whose estimate falls pauses its top layer while the low one goes on: within kStalledMs of
// the top layer's last packet the subscription targets the low layer (not after RecvStream::kLiveMs),
// and it goes back up as soon as the top layer sends again.
TEST(LayerSelectorTest, ATopLayerThatStopsWhileTheLowOneSendsIsLeftWithinHalfASecond) {
  LayerSelector s;
  const auto at = [](int64_t lowMs, int64_t hiMs) {
    return std::array<Info, 3>{{{true, 150'000, lowMs}, {false, 0, 0}, {true, 900'000, hiMs}}};
  };
  EXPECT_EQ(s.Select(at(10'000, 10'000), 2, 0, 10'000), 2);
  // Silent for 400 ms while low sends: a frame or two late is no pause.
  EXPECT_EQ(s.Select(at(10'400, 10'000), 2, 0, 10'400), 2);
  EXPECT_EQ(s.Select(at(10'000 + LayerSelector::kStalledMs + 33, 10'000), 2, 0, 10'533), 0);
  // Both silent (the whole camera stalls): nothing to choose between, the asked-for layer stays.
  LayerSelector both;
  EXPECT_EQ(both.Select(at(10'000, 10'000), 2, 0, 11'500), 2);
  // The top layer is back: the target goes up (the switch itself waits for its key frame).
  EXPECT_EQ(s.Select(at(12'000, 11'990), 2, 0, 12'000), 2);
  EXPECT_EQ(s.Switches(), 3u);  // from the initial 0 up, down, up
}

TEST(LayerSelectorTest, TooLittleBandwidthGoesDownHoldsThenProbesTheAskedForLayer) {
  LayerSelector s;
  const std::array<Info, 3> layers{{{true, 150'000}, {true, 500'000}, {true, 1'200'000}}};
  ManualClock clock;
  EXPECT_EQ(s.Select(layers, 2, 2'000'000, clock.NowMs()), 2);
  EXPECT_EQ(s.Select(layers, 2, 600'000, clock.NowMs()), 1);  // the high layer does not fit
  EXPECT_EQ(s.Select(layers, 2, 100'000, clock.NowMs()), 0);  // nothing fits: the lowest
  // Held although the estimate recovered (a receiver's estimate only sees what it gets)...
  clock.AdvanceMs(LayerSelector::kHoldMs - 1);
  EXPECT_EQ(s.Select(layers, 2, 5'000'000, clock.NowMs()), 0);
  // ...then the asked-for layer is probed, whatever the estimate says, for kProbeMs.
  clock.AdvanceMs(1);
  EXPECT_EQ(s.Select(layers, 2, 300'000, clock.NowMs()), 2);
  clock.AdvanceMs(LayerSelector::kProbeMs - 1);
  EXPECT_EQ(s.Select(layers, 2, 300'000, clock.NowMs()), 2);
  // Still too little after the probe: down again, held twice as long.
  clock.AdvanceMs(1);
  EXPECT_EQ(s.Select(layers, 2, 300'000, clock.NowMs()), 0);
  clock.AdvanceMs(2 * LayerSelector::kHoldMs - 1);
  EXPECT_EQ(s.Select(layers, 2, 5'000'000, clock.NowMs()), 0);
  clock.AdvanceMs(1);
  EXPECT_EQ(s.Select(layers, 2, 5'000'000, clock.NowMs()), 2);
  // Unknown bandwidth (0) never limits.
  LayerSelector fresh;
  EXPECT_EQ(fresh.Select(layers, 2, 0, clock.NowMs()), 2);
}

// With the router's own estimate (it pads toward it, so it measures what the path carries) nothing is
// sent on trial: a held layer goes up once it fits and its hold is over, and while it does not fit the
// hold goes on without doubling.
TEST(LayerSelectorTest, WithoutLayerProbesTheLayerGoesUpOnlyOnceItFits) {
  LayerSelector s;
  s.SetLayerProbes(false);
  const std::array<Info, 3> layers{{{true, 150'000}, {true, 500'000}, {true, 1'200'000}}};
  ManualClock clock;
  EXPECT_EQ(s.Select(layers, 2, 2'000'000, clock.NowMs()), 2);
  EXPECT_EQ(s.Select(layers, 2, 400'000, clock.NowMs()), 0);
  // The hold ends and the estimate still says 400 kbit/s: no trial of the high layer.
  clock.AdvanceMs(LayerSelector::kHoldMs);
  EXPECT_EQ(s.Select(layers, 2, 400'000, clock.NowMs()), 0);
  clock.AdvanceMs(LayerSelector::kProbeMs);
  EXPECT_EQ(s.Select(layers, 2, 400'000, clock.NowMs()), 0);
  // The estimate climbed to 600 kbit/s: the middle layer fits, within one (undoubled) hold.
  clock.AdvanceMs(LayerSelector::kHoldMs - LayerSelector::kProbeMs - 1);
  EXPECT_EQ(s.Select(layers, 2, 600'000, clock.NowMs()), 0);
  clock.AdvanceMs(1);
  EXPECT_EQ(s.Select(layers, 2, 600'000, clock.NowMs()), 1);
  // Later, 1.5 Mbit/s: the high layer.
  clock.AdvanceMs(LayerSelector::kHoldMs);
  EXPECT_EQ(s.Select(layers, 2, 1'500'000, clock.NowMs()), 2);
}

TEST(LayerSelectorTest, ResetWaitsForTheNextKeyframe) {
  LayerSelector s;
  EXPECT_FALSE(s.Accept(0, false));
  EXPECT_TRUE(s.Accept(0, true));
  EXPECT_TRUE(s.Accept(0, false));
  s.Reset();
  EXPECT_TRUE(s.WaitingForKeyframe());
  EXPECT_FALSE(s.Accept(0, false));
  EXPECT_TRUE(s.Accept(0, true));
  EXPECT_FALSE(s.WaitingForKeyframe());
}

}  // namespace
}  // namespace medicall::media::router
