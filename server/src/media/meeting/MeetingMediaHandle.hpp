#pragma once
// What the signaling side (the HTTP thread) holds of a meeting's media: a handle that can only post.
// Every method posts one task to the media worker, where the meeting's MeetingMedia lives; the
// handle never gives out the MeetingMedia, so signaling code cannot reach worker state.
//
// - Construction posts the creation of the MeetingMedia (from `options`) to the worker; destruction
//   posts its teardown. Tasks run on the worker in the order they were posted, so every task posted
//   before the destruction still finds the media (unless its creation failed: then they do nothing,
//   and Subscribe answers 503), and none can find it destroyed.
// - Reports of the media (MeetingMediaListener) are posted to the `signaling` io_context and run only
//   while the handle exists: once it is destroyed, the reports still in flight are dropped, so the
//   listener (which owns the handle) is never called after it.
// - Subscribe's `done` is posted to the `signaling` io_context and always runs, also after the handle
//   is gone (its closure owns what it needs).
//
// Threading: the handle is created, used and destroyed on the signaling thread. `worker` and
// `signaling` outlive every posted task.
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "common/AliveToken.hpp"
#include "media/meeting/MeetingMedia.hpp"
#include "media/meeting/MeetingMediaListener.hpp"
#include "media/router/Router.hpp"

namespace medicall::net {
class MediaWorker;
}

namespace medicall::media::meeting {

class MeetingMediaHandle {
 public:
  MeetingMediaHandle(net::MediaWorker& worker, boost::asio::io_context& signaling,
                     MeetingMediaListener& listener, MeetingMedia::Options options);
  ~MeetingMediaHandle();
  MeetingMediaHandle(const MeetingMediaHandle&) = delete;
  MeetingMediaHandle& operator=(const MeetingMediaHandle&) = delete;

  // Offer/answer on the worker; `done` gets the answer on the signaling thread (503 when the media
  // could not be created).
  void Subscribe(router::SubscribeParams params, std::function<void(router::SubscribeAnswer)> done);
  void RemoveAttendee(std::string attendeeId);
  void SetMuted(std::string attendeeId, bool muted);
  void SetHostMuted(std::string attendeeId, bool muted);
  void SetPaused(std::string attendeeId, std::vector<uint32_t> streamIds, bool paused);
  void UpdateSubscriptions(std::string attendeeId, std::vector<std::pair<std::string, uint32_t>> updates);
  void SetVideoPreferences(std::string attendeeId, std::vector<router::VideoPreference> preferences);
  void RequestKeyframes(std::set<std::string> attendeeIds);

 private:
  struct Root;  // the worker's side: the MeetingMedia (worker thread only)

  // Runs `task` on the worker with the media; skipped when its creation failed.
  void Post(std::function<void(MeetingMedia&)> task);

  net::MediaWorker& worker_;
  boost::asio::io_context& signaling_;
  std::shared_ptr<Root> root_;  // shared with the posted tasks
  AliveToken alive_;            // observed by the reports posted back
};

}  // namespace medicall::media::meeting
