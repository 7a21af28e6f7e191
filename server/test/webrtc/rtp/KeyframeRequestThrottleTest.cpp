#include "webrtc/rtp/KeyframeRequestThrottle.hpp"

#include <gtest/gtest.h>

namespace medicall::webrtc::rtp {
namespace {

TEST(KeyframeRequestThrottleTest, AtMostOnePerSecondAndLaterRequestsWaitForTheKeyframe) {
  KeyframeRequestThrottle t(1000);
  EXPECT_FALSE(t.Due(0));     // nothing pending
  EXPECT_TRUE(t.Request(0));  // the first request goes out at once
  t.Sent(0);
  EXPECT_EQ(t.FirSequence(), 1);
  for (int64_t ms = 10; ms < 1000; ms += 10) EXPECT_FALSE(t.Request(ms)) << ms;  // coalesced
  EXPECT_TRUE(t.Pending());
  t.OnKeyframe();  // the key frame answers all of them
  EXPECT_FALSE(t.Pending());
  EXPECT_FALSE(t.Due(5'000));
  EXPECT_TRUE(t.Request(5'000));  // a request much later goes out promptly
}

TEST(KeyframeRequestThrottleTest, AnUnansweredRequestIsRepeatedAfterTheInterval) {
  KeyframeRequestThrottle t(1000);
  ASSERT_TRUE(t.Request(0));
  t.Sent(0);
  EXPECT_FALSE(t.Due(999));
  EXPECT_TRUE(t.Due(1000));
  t.Sent(1000);
  EXPECT_EQ(t.FirSequence(), 2);
  EXPECT_FALSE(t.Due(1999));
}

TEST(KeyframeRequestThrottleTest, ARequestThatWasNotSentDoesNotStartTheInterval) {
  KeyframeRequestThrottle t(1000);
  EXPECT_TRUE(t.Request(0));  // e.g. the publisher is not connected yet: the caller cannot send
  EXPECT_TRUE(t.Request(10));
  t.Sent(10);
  EXPECT_FALSE(t.Request(500));
}

TEST(KeyframeRequestThrottleTest, RequestJustAfterKeyframeIsStillRemembered) {
  KeyframeRequestThrottle t(1000);
  ASSERT_TRUE(t.Request(0));
  t.Sent(0);
  t.OnKeyframe();
  EXPECT_FALSE(t.Request(50));  // too soon to send
  EXPECT_TRUE(t.Pending());     // but not forgotten
  EXPECT_TRUE(t.Due(1000));
}

}  // namespace
}  // namespace medicall::webrtc::rtp
