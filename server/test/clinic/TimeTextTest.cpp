#include "clinic/TimeText.hpp"

#include <gtest/gtest.h>

namespace medicall::clinic {
namespace {

TEST(TimeTextTest, IsoRoundTrip) {
  EXPECT_EQ(TimeText::Iso(1'764'581'400'123), "2025-12-01T09:30:00.123Z");
  EXPECT_EQ(TimeText::Parse("2025-12-01T09:30:00.123Z"), 1'764'581'400'123);
  EXPECT_EQ(TimeText::Parse("2025-12-01T10:30:00+01:00"), 1'764'581'400'000);
  EXPECT_EQ(TimeText::Parse("2025-12-01T09:30Z"), 1'764'581'400'000);
  EXPECT_EQ(TimeText::Parse("1764581400123"), 1'764'581'400'123);
  EXPECT_TRUE(TimeText::Parse("2025-12-01T09:30"));  // local time
}

TEST(TimeTextTest, MalformedIsRefused) {
  for (const char* bad : {"", "tomorrow", "2025-13-01T09:30Z", "2025-12-01T25:00Z", "2025-12-01T09:30:00.Z",
                          "2025-12-01T09:30+1", "2025-12-01", "2025-12-01T09:30:00Zjunk"})
    EXPECT_FALSE(TimeText::Parse(bad)) << bad;
}

}  // namespace
}  // namespace medicall::clinic
