#include "webrtc/rtp/KeyframeRequestThrottle.hpp"

#include <gtest/gtest.h>

namespace medicall::webrtc::rtp {
namespace {

TEST(KeyframeRequestThrottleTest, ThrottlesAndRetriesUntilAKeyframeArrives) {
  KeyframeRequestThrottle t(300);
  EXPECT_FALSE(t.Poll(0));    // nothing pending
  EXPECT_TRUE(t.Request(0));  // first request goes out at once
  EXPECT_EQ(t.FirSequence(), 1);
  EXPECT_FALSE(t.Request(100));  // a second subscriber within the interval: coalesced
  EXPECT_FALSE(t.Poll(299));
  EXPECT_TRUE(t.Poll(300));  // unanswered: repeated
  EXPECT_EQ(t.FirSequence(), 2);
  t.OnKeyframe();
  EXPECT_FALSE(t.Pending());
  EXPECT_FALSE(t.Poll(10'000));
  EXPECT_TRUE(t.Request(10'000));  // a new subscriber later gets a new key frame promptly
}

TEST(KeyframeRequestThrottleTest, RequestJustAfterKeyframeIsStillRemembered) {
  KeyframeRequestThrottle t(300);
  EXPECT_TRUE(t.Request(0));
  t.OnKeyframe();
  EXPECT_FALSE(t.Request(50));  // too soon to send
  EXPECT_TRUE(t.Pending());     // but not forgotten
  EXPECT_TRUE(t.Poll(300));
}

}  // namespace
}  // namespace medicall::webrtc::rtp
