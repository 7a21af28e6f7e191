#include "media/audio/JitterBuffer.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "media/audio/AudioTestSignals.hpp"
#include "media/audio/OpusPacket.hpp"

namespace medicall::media::audio {
namespace {

using Kind = JitterFrame::Kind;

// A payload whose first byte tells which packet it is (CELT-only TOC so it never looks like LBRR).
std::vector<uint8_t> Payload(uint16_t seq) { return {0xF8, static_cast<uint8_t>(seq & 0xff), 0x01}; }

struct Harness {
  explicit Harness(JitterBufferConfig config = {}) : jb(config) {}
  bool Push(uint16_t seq) {
    const auto p = Payload(seq);
    return jb.Push(seq, static_cast<uint32_t>(seq) * kRtpTimestampStep, nowUs, p);
  }
  JitterFrame Pop() {
    JitterFrame f = jb.Pop(nowUs);
    nowUs += kFrameDurationUs;
    return f;
  }
  // Pops until the first non-silent frame (the initial buffering).
  JitterFrame PopUntilPlaying() {
    for (int i = 0; i < 20; ++i) {
      JitterFrame f = Pop();
      if (f.kind != Kind::kSilent) return f;
    }
    return {};
  }
  JitterBuffer jb;
  int64_t nowUs = 1'000'000;
};

uint8_t Tag(const JitterFrame& f) { return f.payload.size() >= 2 ? f.payload[1] : 0xff; }

TEST(JitterBufferTest, BuffersTargetDelayThenPlaysInOrder) {
  Harness h;  // 60 ms target: three frames
  h.Push(10);
  EXPECT_EQ(h.Pop().kind, Kind::kSilent);
  h.Push(11);
  EXPECT_EQ(h.Pop().kind, Kind::kSilent);
  h.Push(12);
  JitterFrame f = h.Pop();
  ASSERT_EQ(f.kind, Kind::kPacket);
  EXPECT_EQ(Tag(f), 10);
  EXPECT_EQ(f.rtpTimestamp, 10u * kRtpTimestampStep);
  for (uint16_t seq = 13; seq < 30; ++seq) {
    h.Push(seq);
    f = h.Pop();
    ASSERT_EQ(f.kind, Kind::kPacket);
    EXPECT_EQ(Tag(f), seq - 2);
  }
  EXPECT_EQ(h.jb.Stats().lost, 0u);
}

TEST(JitterBufferTest, AbsorbsReordering) {
  Harness h;
  for (uint16_t seq : {1, 3, 2, 5, 4, 6, 8, 7, 9, 10}) h.Push(seq);
  std::vector<int> order;
  JitterFrame f = h.PopUntilPlaying();
  while (f.kind == Kind::kPacket) {
    order.push_back(Tag(f));
    f = h.Pop();
  }
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
  EXPECT_EQ(h.jb.Stats().late, 0u);
}

TEST(JitterBufferTest, PacketReorderedBeforeTheFirstOneStillPlaysFirst) {
  Harness h;
  h.Push(21);
  h.Push(20);
  h.Push(22);
  JitterFrame f = h.PopUntilPlaying();
  EXPECT_EQ(Tag(f), 20);
  EXPECT_EQ(Tag(h.Pop()), 21);
}

TEST(JitterBufferTest, MissingPacketGivesLostMarkerAndPlaybackContinues) {
  Harness h;
  for (uint16_t seq : {1, 2, 4, 5, 6}) h.Push(seq);
  EXPECT_EQ(Tag(h.PopUntilPlaying()), 1);
  EXPECT_EQ(Tag(h.Pop()), 2);
  JitterFrame lost = h.Pop();
  EXPECT_EQ(lost.kind, Kind::kLost);
  EXPECT_TRUE(lost.payload.empty());  // next packet has no LBRR: PLC
  EXPECT_EQ(lost.rtpTimestamp, 3u * kRtpTimestampStep);
  EXPECT_EQ(Tag(h.Pop()), 4);
  EXPECT_EQ(h.jb.Stats().lost, 1u);
  EXPECT_EQ(h.jb.Stats().fecFrames, 0u);
  // The lost packet arriving now is too late.
  EXPECT_FALSE(h.Push(3));
  EXPECT_EQ(h.jb.Stats().late, 1u);
}

TEST(JitterBufferTest, LostFrameCarriesNextPacketWhenItHasLbrr) {
  OpusEncoderConfig config;
  config.expectedLossPercent = 20;
  const auto packets = test::EncodeSine(440, 0.3, 12, config);
  const std::size_t withLbrr = test::FirstWithLbrr(packets, 4);
  ASSERT_NE(withLbrr, 0u) << "the encoder produced no LBRR";

  JitterBuffer jb;
  int64_t now = 0;
  JitterFrame f;
  for (std::size_t i = 0; i < packets.size(); ++i, now += kFrameDurationUs) {
    if (i != withLbrr - 1) {  // that one is lost on the way
      jb.Push(static_cast<uint16_t>(i), static_cast<uint32_t>(i * 960), now, packets[i]);
    }
    f = jb.Pop(now);
    if (f.kind == Kind::kLost) break;
  }
  ASSERT_EQ(f.kind, Kind::kLost);
  EXPECT_EQ(f.extendedSeq & 0xffff, static_cast<int64_t>(withLbrr - 1));
  ASSERT_EQ(f.payload.size(), packets[withLbrr].size());
  EXPECT_TRUE(std::equal(f.payload.begin(), f.payload.end(), packets[withLbrr].begin()));
  EXPECT_EQ(jb.Stats().fecFrames, 1u);
}

TEST(JitterBufferTest, DropsDuplicatesBeforeAndAfterPlayout) {
  Harness h;
  EXPECT_TRUE(h.Push(1));
  EXPECT_FALSE(h.Push(1));
  h.Push(2);
  h.Push(3);
  EXPECT_EQ(Tag(h.PopUntilPlaying()), 1);
  EXPECT_FALSE(h.Push(1));  // already played
  EXPECT_EQ(h.jb.Stats().duplicates, 2u);
  EXPECT_EQ(h.jb.Stats().late, 0u);
  EXPECT_EQ(Tag(h.Pop()), 2);
  EXPECT_EQ(Tag(h.Pop()), 3);
}

TEST(JitterBufferTest, SequenceWrapAroundIsContinuous) {
  Harness h;
  // 65533 65534 0 65535 1 2 ...: reordered across the wrap.
  for (uint16_t seq : {65533, 65534, 0, 65535, 1, 2, 3, 4}) h.Push(seq);
  std::vector<int64_t> ext;
  std::vector<int> tags;
  JitterFrame f = h.PopUntilPlaying();
  while (f.kind == Kind::kPacket) {
    ext.push_back(f.extendedSeq);
    tags.push_back(Tag(f));
    f = h.Pop();
  }
  ASSERT_EQ(ext.size(), 8u);
  for (std::size_t i = 1; i < ext.size(); ++i) EXPECT_EQ(ext[i], ext[i - 1] + 1);
  EXPECT_EQ(tags, (std::vector<int>{0xfd, 0xfe, 0xff, 0, 1, 2, 3, 4}));
  EXPECT_EQ(h.jb.Stats().late + h.jb.Stats().duplicates + h.jb.Stats().resyncs, 0u);
}

TEST(JitterBufferTest, LongRunThroughSeveralWrapsLosesNothing) {
  Harness h;
  uint16_t seq = 60000;
  for (int i = 0; i < 3; ++i) h.Push(seq++);
  for (int i = 0; i < 140'000; ++i) {
    h.Push(seq++);
    ASSERT_EQ(h.Pop().kind, Kind::kPacket) << i;
  }
  EXPECT_EQ(h.jb.Stats().lost, 0u);
  EXPECT_EQ(h.jb.Stats().resyncs, 0u);
  EXPECT_EQ(h.jb.Stats().played, 140'000u);
}

TEST(JitterBufferTest, BurstIsBoundedInMemoryAndDelay) {
  static_assert(sizeof(JitterBuffer) < std::size_t{32} * 1024, "fixed memory per attendee");
  JitterBufferConfig config;
  config.maxDelayUs = 120'000;  // six frames
  Harness h(config);
  for (uint16_t seq = 0; seq < 100; ++seq) h.Push(seq);  // a stalled worker, or a network burst
  EXPECT_LE(h.jb.Depth(), JitterBuffer::kSlots);
  JitterFrame f = h.Pop();
  ASSERT_EQ(f.kind, Kind::kPacket);
  EXPECT_LE(h.jb.Depth(), 6u);            // back within the bound at once
  EXPECT_GE(f.extendedSeq & 0xffff, 94);  // the newest frames survive
  EXPECT_GT(h.jb.Stats().overflowDrops, 80u);
}

TEST(JitterBufferTest, SenderThatStopsIsConcealedBrieflyThenSilent) {
  JitterBufferConfig config;
  config.maxConcealFrames = 3;
  Harness h(config);
  for (uint16_t seq = 0; seq < 3; ++seq) h.Push(seq);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(h.PopUntilPlaying().kind, Kind::kPacket);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(h.Pop().kind, Kind::kLost);
  EXPECT_EQ(h.Pop().kind, Kind::kSilent);
  EXPECT_EQ(h.Pop().kind, Kind::kSilent);
  // The sender comes back: buffering again, then it plays its new packets.
  for (uint16_t seq = 10; seq < 13; ++seq) h.Push(seq);
  EXPECT_EQ(Tag(h.PopUntilPlaying()), 10);
}

TEST(JitterBufferTest, DelayedPacketAfterShortUnderrunStillPlays) {
  Harness h;
  for (uint16_t seq = 0; seq < 3; ++seq) h.Push(seq);
  for (int i = 0; i < 3; ++i) h.PopUntilPlaying();
  EXPECT_EQ(h.Pop().kind, Kind::kLost);  // packet 3 is late: conceal, but keep waiting for it
  h.Push(3);
  JitterFrame f = h.Pop();
  EXPECT_EQ(f.kind, Kind::kPacket);
  EXPECT_EQ(Tag(f), 3);
  EXPECT_EQ(h.jb.Stats().late, 0u);
}

TEST(JitterBufferTest, DelayAddedByAnUnderrunIsShedAgainSlowly) {
  JitterBufferConfig config;
  config.shrinkAfterTicks = 10;
  Harness h(config);
  uint16_t seq = 0;
  for (int i = 0; i < 3; ++i) h.Push(seq++);
  for (int i = 0; i < 10; ++i) {
    h.Push(seq++);
    ASSERT_EQ(h.Pop().kind, Kind::kPacket);
  }
  const std::size_t steadyDepth = h.jb.Depth();
  // The network holds six packets back, then delivers them at once: the buffered frames play out,
  // three frames are concealed while waiting, and the buffer then holds three more than before.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(h.Pop().kind, Kind::kPacket);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(h.Pop().kind, Kind::kLost);
  for (int i = 0; i < 6; ++i) h.Push(seq++);
  EXPECT_EQ(h.jb.Stats().late, 0u);
  EXPECT_GT(h.jb.Depth(), steadyDepth + 2);
  for (int i = 0; i < 60; ++i) {
    h.Push(seq++);
    ASSERT_EQ(h.Pop().kind, Kind::kPacket);
  }
  EXPECT_LE(h.jb.Depth(), steadyDepth + 1);  // back near the target, one frame at a time
  EXPECT_GE(h.jb.Stats().overflowDrops, 1u);
  EXPECT_LE(h.jb.Stats().overflowDrops, 3u);
}

TEST(JitterBufferTest, RejectsEmptyAndOversizedPayloads) {
  JitterBuffer jb;
  std::vector<uint8_t> big(kMaxOpusPayload + 1, 0xF8);
  EXPECT_FALSE(jb.Push(1, 0, 0, big));
  EXPECT_FALSE(jb.Push(1, 0, 0, {}));
  EXPECT_EQ(jb.Stats().oversized, 2u);
  EXPECT_EQ(jb.Depth(), 0u);
}

TEST(JitterBufferTest, JumpBeyondTheWindowRestarts) {
  Harness h;
  for (uint16_t seq = 0; seq < 5; ++seq) h.Push(seq);
  h.PopUntilPlaying();
  for (uint16_t seq = 30000; seq < 30003; ++seq) h.Push(seq);
  EXPECT_EQ(h.jb.Stats().resyncs, 1u);
  EXPECT_EQ(Tag(h.PopUntilPlaying()), 30000 & 0xff);
}

// Found by jitter_buffer_fuzzer (corpus: crash-straggler-after-pause-played-backwards.bin): after a pause,
// a straggler older than what was already played arrived while the buffer re-buffered, was taken for
// a packet reordered ahead of the new first one, and played: playout went backwards and every number
// in between came out as a lost frame.
TEST(JitterBufferTest, StragglerFromBeforeAPauseIsLateNotPlayedBackwards) {
  Harness h;
  for (uint16_t seq = 10; seq < 13; ++seq) h.Push(seq);
  EXPECT_EQ(Tag(h.PopUntilPlaying()), 10);
  EXPECT_EQ(Tag(h.Pop()), 11);
  EXPECT_EQ(Tag(h.Pop()), 12);
  for (int i = 0; i < 10; ++i) h.Pop();  // the sender paused: concealment, then silence
  EXPECT_FALSE(h.jb.Playing());
  EXPECT_TRUE(h.Push(13));  // it resumes: buffering again
  EXPECT_FALSE(h.Push(5));  // a straggler older than what was played
  EXPECT_EQ(h.jb.Stats().late, 1u);
  const JitterFrame f = h.PopUntilPlaying();
  EXPECT_EQ(f.kind, Kind::kPacket);
  EXPECT_EQ(Tag(f), 13);
  EXPECT_EQ(h.jb.Stats().lost, 5u);  // only the concealment of the pause
}

// Every accepted packet is accounted for: played, dropped for the delay bound, or discarded unplayed
// by a restart or Reset() (jitter_buffer_fuzzer checks this balance on every input).
TEST(JitterBufferTest, PacketsThrownAwayUnplayedAreCountedAsDiscarded) {
  Harness h;
  for (uint16_t seq = 0; seq < 5; ++seq) h.Push(seq);
  EXPECT_EQ(h.PopUntilPlaying().kind, Kind::kPacket);  // plays 0; 1..4 stay buffered
  h.Push(30000);                                       // a resync throws 1..4 away
  EXPECT_EQ(h.jb.Stats().resyncs, 1u);
  EXPECT_EQ(h.jb.Stats().discarded, 4u);
  h.Push(30001);
  h.jb.Reset();  // and Reset throws away what is buffered
  const JitterBufferStats& s = h.jb.Stats();
  EXPECT_EQ(s.discarded, 6u);
  EXPECT_EQ(s.received, s.played + s.overflowDrops + s.discarded);
}

}  // namespace
}  // namespace medicall::media::audio
