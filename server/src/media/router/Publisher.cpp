#include "media/router/Publisher.hpp"

#include <algorithm>

namespace medicall::media::router {

Publisher::Publisher(RouterPeer& owner, uint32_t streamId, uint32_t groupId, uint32_t maxBitrateKbps)
    : owner_(owner), streamId_(streamId), groupId_(groupId), maxBitrateKbps_(maxBitrateKbps) {
  subscribers_.reserve(16);
}

void Publisher::SetStream(uint32_t mediaSsrc, uint32_t rtxSsrc, uint8_t payloadType, int rtxPayloadType) {
  if (mediaSsrc != 0 && mediaSsrc != mediaSsrc_) AdoptSsrc(mediaSsrc);
  rtxSsrc_ = rtxSsrc;
  payloadType_ = payloadType;
  rtxPayloadType_ = rtxPayloadType;
}

void Publisher::AdoptSsrc(uint32_t mediaSsrc) {
  mediaSsrc_ = mediaSsrc;
  stats_.Reset();
  cache_.Clear();
}

void Publisher::Attach(Subscription& subscription) {
  if (std::find(subscribers_.begin(), subscribers_.end(), &subscription) == subscribers_.end()) {
    subscribers_.push_back(&subscription);
  }
}

void Publisher::Detach(Subscription& subscription) {
  subscribers_.erase(std::remove(subscribers_.begin(), subscribers_.end(), &subscription),
                     subscribers_.end());
}

}  // namespace medicall::media::router
