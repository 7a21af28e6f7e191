#include "media/meeting/MeetingMediaHandle.hpp"

#include <boost/asio/post.hpp>

#include "net/MediaWorker.hpp"

namespace medicall::media::meeting {

namespace asio = boost::asio;

struct MeetingMediaHandle::Root {
  std::unique_ptr<MeetingMedia> media;  // null until created, and after the teardown
};

MeetingMediaHandle::MeetingMediaHandle(net::MediaWorker& worker, asio::io_context& signaling,
                                       MeetingMediaListener& listener, MeetingMedia::Options options)
    : worker_(worker), signaling_(signaling), root_(std::make_shared<Root>()) {
  // The way back: each report is posted to the signaling thread and runs there while this handle lives.
  MeetingMedia::Report report = [&signaling, listener = &listener,
                                 watch = alive_.Observe()](std::function<void(MeetingMediaListener&)> event) {
    asio::post(signaling, [listener, watch, event = std::move(event)] {
      if (watch.Alive()) event(*listener);
    });
  };
  worker_.Post([root = root_, &context = worker_.Context(), options = std::move(options),
                report = std::move(report)]() mutable {
    root->media = std::make_unique<MeetingMedia>(context, std::move(options), std::move(report));
  });
}

MeetingMediaHandle::~MeetingMediaHandle() {
  alive_.Kill();
  worker_.Post([root = root_] { root->media.reset(); });
}

void MeetingMediaHandle::Post(std::function<void(MeetingMedia&)> task) {
  worker_.Post([root = root_, task = std::move(task)] {
    if (root->media) task(*root->media);
  });
}

void MeetingMediaHandle::Subscribe(router::SubscribeParams params,
                                   std::function<void(router::SubscribeAnswer)> done) {
  worker_.Post([root = root_, &signaling = signaling_, params = std::move(params),
                done = std::move(done)]() mutable {
    router::SubscribeAnswer answer;
    if (root->media) {
      answer = root->media->Subscribe(params);
    } else {
      answer.status = 503;
      answer.description = "meeting media is gone";
    }
    asio::post(signaling,
               [answer = std::move(answer), done = std::move(done)]() mutable { done(std::move(answer)); });
  });
}

void MeetingMediaHandle::RemoveAttendee(std::string attendeeId) {
  Post([attendeeId = std::move(attendeeId)](MeetingMedia& m) { m.RemoveAttendee(attendeeId); });
}

void MeetingMediaHandle::SetMuted(std::string attendeeId, bool muted) {
  Post([attendeeId = std::move(attendeeId), muted](MeetingMedia& m) { m.SetMuted(attendeeId, muted); });
}

void MeetingMediaHandle::SetHostMuted(std::string attendeeId, bool muted) {
  Post([attendeeId = std::move(attendeeId), muted](MeetingMedia& m) { m.SetHostMuted(attendeeId, muted); });
}

void MeetingMediaHandle::SetPaused(std::string attendeeId, std::vector<uint32_t> streamIds, bool paused) {
  Post([attendeeId = std::move(attendeeId), streamIds = std::move(streamIds), paused](MeetingMedia& m) {
    m.SetPaused(attendeeId, streamIds, paused);
  });
}

void MeetingMediaHandle::UpdateSubscriptions(std::string attendeeId,
                                             std::vector<std::pair<std::string, uint32_t>> updates) {
  Post([attendeeId = std::move(attendeeId), updates = std::move(updates)](MeetingMedia& m) {
    m.UpdateSubscriptions(attendeeId, updates);
  });
}

void MeetingMediaHandle::SetVideoPreferences(std::string attendeeId,
                                             std::vector<router::VideoPreference> preferences) {
  Post([attendeeId = std::move(attendeeId), preferences = std::move(preferences)](MeetingMedia& m) {
    m.SetVideoPreferences(attendeeId, preferences);
  });
}

void MeetingMediaHandle::RequestKeyframes(std::set<std::string> attendeeIds) {
  Post([attendeeIds = std::move(attendeeIds)](MeetingMedia& m) { m.RequestKeyframes(attendeeIds); });
}

}  // namespace medicall::media::meeting
