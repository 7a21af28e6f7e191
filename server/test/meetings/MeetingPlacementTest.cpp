// MeetingsService with a placement (a cluster node): meetings come back with their host's media
// address, ended meetings lose their placement, and the sweep ends only meetings hosted here.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "meetings/MeetingsService.hpp"
#include "meetings/TempDir.hpp"
#include "store/SqliteStore.hpp"

namespace medicall::meetings {
namespace {

class FakePlacement : public MeetingPlacement {
 public:
  std::string Resolve(const std::string& meetingId) override {
    ++resolved[meetingId];
    return elsewhere.count(meetingId) ? "10.0.0.2:40000" : "10.0.0.1:40000";
  }
  bool IsLocal(const std::string& meetingId) override { return elsewhere.count(meetingId) == 0; }
  void Forget(const std::string& meetingId) override { forgotten.insert(meetingId); }

  std::set<std::string> elsewhere;
  std::map<std::string, int> resolved;
  std::set<std::string> forgotten;
};

class MeetingPlacementTest : public ::testing::Test {
 protected:
  MeetingPlacementTest() : store_(dir_.Path()), service_(store_, config_, clock_) {
    service_.SetPlacement(&placement_);
  }
  CreateMeetingParams Params() {
    CreateMeetingParams p;
    p.externalMeetingId = "ext-meeting";
    p.mediaRegion = "us-east-1";
    return p;
  }

  testing::TempDir dir_;
  Config config_;
  int64_t now_ = 1'700'000'000;
  ManualClock clock_{1'000'000'000, now_ * 1'000'000};
  store::SqliteStore store_;
  MeetingsService service_;
  FakePlacement placement_;
};

TEST_F(MeetingPlacementTest, MeetingsCarryTheirHostsMediaAddress) {
  const auto created = service_.CreateMeeting(Params());
  EXPECT_EQ(created.audioHostUrl, "10.0.0.1:40000");
  EXPECT_EQ(placement_.resolved[created.meetingId], 1);  // placed when created
  placement_.elsewhere.insert(created.meetingId);
  EXPECT_EQ(service_.GetMeeting(created.meetingId).audioHostUrl, "10.0.0.2:40000");
  const auto room = service_.FindOrCreateMeetingForRoom("room-1", "us-east-1");
  EXPECT_EQ(room.audioHostUrl, "10.0.0.1:40000");
  EXPECT_EQ(service_.FindOrCreateMeetingForRoom("room-1", "us-east-1").meetingId, room.meetingId);
}

TEST_F(MeetingPlacementTest, EndedMeetingsLoseTheirPlacement) {
  const auto m = service_.CreateMeeting(Params());
  service_.DeleteMeeting(m.meetingId);
  EXPECT_EQ(placement_.forgotten.count(m.meetingId), 1u);
}

TEST_F(MeetingPlacementTest, SweepEndsOnlyMeetingsHostedHere) {
  const auto here = service_.CreateMeeting(Params());
  const auto there = service_.CreateMeeting(Params());
  placement_.elsewhere.insert(there.meetingId);  // its host's sweep ends it, not ours
  EXPECT_EQ(service_.Sweep(now_ + config_.meetingIdleSeconds), 1);
  EXPECT_THROW(service_.GetMeeting(here.meetingId), NotFound);
  EXPECT_NO_THROW(service_.GetMeeting(there.meetingId));
}

}  // namespace
}  // namespace medicall::meetings
