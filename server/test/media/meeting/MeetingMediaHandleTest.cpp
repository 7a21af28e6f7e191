// MeetingMediaHandle, the signaling thread's only way to a meeting's media: with a test loop for the
// media worker and one for the signaling thread (both run by the test, one handler batch at a time),
// every method only posts, the media is created and destroyed on the worker, results and reports come
// back on the signaling loop, and ending the meeting while tasks are in flight neither loses their
// order nor calls a listener that is gone.
#include "media/meeting/MeetingMediaHandle.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <chrono>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "media/meeting/FakeRouter.hpp"
#include "media/meeting/RecordingMediaListener.hpp"
#include "WorkerTestSupport.hpp"
#include "net/MediaWorker.hpp"

namespace medicall::media::meeting {
namespace {

using testing::FakeRouter;
using testing::FakeRouterLog;
using testing::RecordingMediaListener;

struct HandleFixture : ::testing::Test {
  // The worker is never started: its loop runs here, in RunWorker().
  net::MediaWorker worker{"handle-test"};
  boost::asio::io_context signaling;
  FakeRouterLog log;
  RecordingMediaListener listener;
  bool routerFails = false;

  MeetingMedia::Options Options() {
    MeetingMedia::Options o;
    o.makeRouter = [this](router::Router::Listener& l) -> std::unique_ptr<router::Router> {
      if (routerFails) throw std::runtime_error("no UDP port");
      return std::make_unique<FakeRouter>(log, l);
    };
    o.hostMuted = {"carol"};
    return o;
  }
  std::unique_ptr<MeetingMediaHandle> Make() {
    return std::make_unique<MeetingMediaHandle>(worker, signaling, listener, Options());
  }
  static size_t Run(boost::asio::io_context& loop) {
    loop.restart();
    return loop.poll();
  }
  size_t RunWorker() { return Run(worker.Context()); }
  size_t RunSignaling() { return Run(signaling); }
  static router::SubscribeParams Params(const std::string& attendeeId) {
    router::SubscribeParams p;
    p.attendeeId = attendeeId;
    p.sdpOffer = "v=0 offer";
    return p;
  }
};

TEST_F(HandleFixture, TheMediaIsCreatedOnTheWorkerAndTornDownThereWhenTheHandleGoes) {
  auto handle = Make();
  EXPECT_FALSE(log.created);  // only posted
  RunWorker();
  EXPECT_TRUE(log.created);
  ASSERT_NE(log.listener, nullptr);
  handle.reset();
  EXPECT_FALSE(log.destroyed);  // only posted
  RunWorker();
  EXPECT_TRUE(log.destroyed);
}

TEST_F(HandleFixture, MethodsPostToTheWorkerInOrder) {
  auto handle = Make();
  handle->SetPaused("alice", {4}, true);
  handle->UpdateSubscriptions("alice", {{"2", 4}});
  handle->SetVideoPreferences("alice", {router::VideoPreference{"2", 7, 600}});
  handle->RequestKeyframes({"bob#content"});
  handle->RemoveAttendee("alice");
  EXPECT_TRUE(log.calls.empty());
  RunWorker();
  EXPECT_EQ(log.calls, (std::vector<std::string>{"Pause alice 4", "UpdateSubscription alice 2 4",
                                                 "SetVideoPreference alice 2 7 600",
                                                 "RequestKeyframeFrom bob#content", "RemoveAttendee alice"}));
}

TEST_F(HandleFixture, TheSubscribeAnswerComesBackOnTheSignalingLoop) {
  auto handle = Make();
  std::optional<router::SubscribeAnswer> answer;
  handle->Subscribe(Params("alice"), [&](router::SubscribeAnswer a) { answer = std::move(a); });
  RunSignaling();
  EXPECT_FALSE(answer.has_value());  // the worker has not run yet
  RunWorker();
  EXPECT_EQ(log.calls, (std::vector<std::string>{"Subscribe alice"}));
  EXPECT_FALSE(answer.has_value());  // answered on the worker, posted back
  RunSignaling();
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->status, 200u);
  EXPECT_EQ(answer->sdpAnswer, "v=0 answer for alice");
}

TEST_F(HandleFixture, ReportsArePostedToTheSignalingLoop) {
  auto handle = Make();
  RunWorker();
  log.listener->OnAttendeeDropped("alice");  // as the router does, on the worker
  log.listener->OnSourcesChanged();
  EXPECT_EQ(listener.calls, 0);
  RunSignaling();
  EXPECT_EQ(listener.dropped, (std::vector<std::string>{"alice"}));
  EXPECT_EQ(listener.sources.size(), 1u);
  EXPECT_EQ(listener.lastThread, std::this_thread::get_id());
}

TEST_F(HandleFixture, EndingWithTasksInFlightRunsThemBeforeTheTeardownAndStillAnswers) {
  auto handle = Make();
  std::optional<router::SubscribeAnswer> answer;
  handle->Subscribe(Params("alice"), [&](router::SubscribeAnswer a) { answer = std::move(a); });
  handle->SetPaused("alice", {4}, true);
  handle.reset();  // the meeting ends before the worker ran anything
  RunWorker();
  EXPECT_EQ(log.calls, (std::vector<std::string>{"Subscribe alice", "Pause alice 4"}));
  EXPECT_TRUE(log.destroyed);
  RunSignaling();
  ASSERT_TRUE(answer.has_value());  // the caller's closure still runs
  EXPECT_EQ(answer->status, 200u);
}

TEST_F(HandleFixture, ReportsInFlightWhenTheHandleGoesAreDropped) {
  auto listenerOwned = std::make_unique<RecordingMediaListener>();
  auto handle = std::make_unique<MeetingMediaHandle>(worker, signaling, *listenerOwned, Options());
  RunWorker();
  log.listener->OnAttendeeDropped("alice");  // posted back, not yet run
  log.listener->OnBitrates("bob", {{1, 2}}, 3);
  handle.reset();
  listenerOwned.reset();          // the listener (ChimeBridge's meeting) may go with its handle
  EXPECT_EQ(RunSignaling(), 2u);  // both ran, and called nobody
  RunWorker();
  EXPECT_TRUE(log.destroyed);
  EXPECT_EQ(RunSignaling(), 0u);
}

TEST_F(HandleFixture, AReportMadeDuringTheTeardownReachesNobody) {
  auto handle = Make();
  RunWorker();
  handle.reset();
  // A report the media makes on the worker after the handle went (before its teardown ran).
  log.listener->OnSourcesChanged();
  RunWorker();
  RunSignaling();
  EXPECT_EQ(listener.calls, 0);
}

TEST_F(HandleFixture, WhenTheMediaCannotBeCreatedSubscribeAnswers503AndTheRestDoesNothing) {
  routerFails = true;
  auto handle = Make();
  std::optional<router::SubscribeAnswer> answer;
  handle->Subscribe(Params("alice"), [&](router::SubscribeAnswer a) { answer = std::move(a); });
  handle->RemoveAttendee("alice");
  RunWorker();
  EXPECT_EQ(worker.GetStats().handlerExceptions.load(), 1u);  // the creation threw, caught by the worker
  EXPECT_FALSE(log.created);
  RunSignaling();
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->status, 503u);
  EXPECT_EQ(answer->description, "meeting media is gone");
  handle.reset();
  RunWorker();
  EXPECT_TRUE(log.calls.empty());
}

// The same on a running worker thread: the meeting ends while its answers and reports are in flight
// between the two threads; every answer still arrives, and the listener, destroyed with the handle,
// is never called again (a call would reach freed memory: AddressSanitizer in `make asan`).
TEST(MeetingMediaHandleThreads, EndingWhileTheWorkerRunsLosesNoAnswerAndReachesNoListener) {
  net::MediaWorker worker("handle-threads");
  worker.Start();
  boost::asio::io_context signaling;
  FakeRouterLog log;  // written on the worker; read here after a round trip to it
  MeetingMedia::Options options;
  options.makeRouter = [&log](router::Router::Listener& l) { return std::make_unique<FakeRouter>(log, l); };
  auto listener = std::make_unique<RecordingMediaListener>();
  auto handle = std::make_unique<MeetingMediaHandle>(worker, signaling, *listener, std::move(options));
  constexpr int kSubscribes = 200;
  int answered = 0;
  for (int i = 0; i < kSubscribes; ++i) {
    handle->Subscribe(HandleFixture::Params("a" + std::to_string(i)), [&](router::SubscribeAnswer a) {
      if (a.status == 200) ++answered;
    });
    // The router reports on the worker meanwhile.
    worker.Post([&log] {
      if (log.listener != nullptr) log.listener->OnAttendeeDropped("x");
    });
    if (i % 50 == 0) signaling.poll();
  }
  handle.reset();
  listener.reset();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (answered < kSubscribes && std::chrono::steady_clock::now() < deadline) {
    signaling.restart();
    signaling.run_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(answered, kSubscribes);
  EXPECT_TRUE(medicall::testing::OnWorker(worker, [&] { return log.destroyed; }));  // torn down after them
  EXPECT_EQ(medicall::testing::OnWorker(worker, [&] { return log.calls.size(); }), size_t{kSubscribes});
  signaling.restart();
  signaling.poll();  // the reports still queued reach nobody
  worker.Stop();
}

}  // namespace
}  // namespace medicall::media::meeting
