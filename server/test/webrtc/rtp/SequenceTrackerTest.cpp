#include "webrtc/rtp/SequenceTracker.hpp"

#include <gtest/gtest.h>

namespace medicall::webrtc::rtp {
namespace {

using Result = SequenceTracker::Result;

TEST(SequenceTrackerTest, InOrderGapsLateAndDuplicates) {
  SequenceTracker t;
  EXPECT_EQ(t.Update(65534), Result::kFirst);
  EXPECT_EQ(t.Update(65535), Result::kNewer);
  EXPECT_EQ(t.Gap(), 0);
  EXPECT_EQ(t.Update(3), Result::kNewer);  // across the wrap, 0..2 skipped
  EXPECT_EQ(t.Gap(), 3);
  EXPECT_EQ(t.Highest(), 3);
  EXPECT_EQ(t.Update(1), Result::kLate);
  EXPECT_EQ(t.Update(3), Result::kDuplicate);
  EXPECT_EQ(t.Update(static_cast<uint16_t>(3 + 2999)), Result::kNewer);  // just inside MAX_DROPOUT
  EXPECT_EQ(t.Gap(), 2998);
}

TEST(SequenceTrackerTest, AJumpOfFortyThousandIsFollowedAfterTwoPackets) {
  SequenceTracker t;
  EXPECT_EQ(t.Update(1000), Result::kFirst);
  EXPECT_EQ(t.Update(1001), Result::kNewer);
  EXPECT_EQ(t.Update(41001), Result::kProbation);  // 40000 ahead: looks like 25536 behind
  EXPECT_EQ(t.Highest(), 1001);
  EXPECT_EQ(t.Update(41002), Result::kResynced);  // the next one confirms the new base
  EXPECT_EQ(t.Highest(), 41002);
  EXPECT_EQ(t.Update(41003), Result::kNewer);
  EXPECT_EQ(t.Update(41001), Result::kLate);  // the packet that was on probation, now in the window
}

TEST(SequenceTrackerTest, AStrayNumberNeverMovesTheBase) {
  SequenceTracker t;
  t.Update(100);
  EXPECT_EQ(t.Update(30000), Result::kProbation);
  EXPECT_EQ(t.Update(101), Result::kNewer);
  EXPECT_EQ(t.Update(30001), Result::kProbation);  // in order with the stray, but the stray was forgotten
  EXPECT_EQ(t.Update(50000), Result::kProbation);
  EXPECT_EQ(t.Update(102), Result::kNewer);
  EXPECT_EQ(t.Highest(), 102);
}

TEST(SequenceTrackerTest, BackwardJumpAndMisorderWindow) {
  SequenceTracker t(3000, 512);
  t.Update(20000);
  EXPECT_EQ(t.Update(19500), Result::kLate);       // within 512 behind
  EXPECT_EQ(t.Update(19000), Result::kProbation);  // 1000 behind: a jump
  EXPECT_EQ(t.Update(19001), Result::kResynced);   // the sender went back: follow it
  EXPECT_EQ(t.Highest(), 19001);
}

// Found by rtp_rewriter_fuzzer: a jump to maxMisorder + 1 behind went on probation, but its successor,
// maxMisorder behind, was classed as late, and so was every packet after it until the numbers passed the
// highest one again (the rewriter dropped them all as older than the source's first packet).
TEST(SequenceTrackerTest, ABackwardJumpJustBeyondTheMisorderWindowIsFollowed) {
  SequenceTracker t(3000, 512);
  t.Update(4977);
  EXPECT_EQ(t.Update(4977 - 513), Result::kProbation);
  EXPECT_EQ(t.Update(4977 - 512), Result::kResynced);
  EXPECT_EQ(t.Highest(), 4977 - 512);
  EXPECT_EQ(t.Update(4977 - 511), Result::kNewer);
  EXPECT_EQ(t.Update(4977), Result::kNewer);  // the old highest is now ahead, within MAX_DROPOUT
  EXPECT_EQ(t.Update(4977 - 600), Result::kProbation);
  EXPECT_EQ(t.Update(4977 - 200), Result::kLate);  // a late packet in between does not confirm it
  EXPECT_EQ(t.Update(4977 - 599), Result::kResynced);
}

}  // namespace
}  // namespace medicall::webrtc::rtp
