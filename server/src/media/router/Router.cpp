#include "media/router/Router.hpp"

#include "media/router/MeetingRouter.hpp"

namespace medicall::media::router {

std::unique_ptr<Router> Router::Create(const Config& config, webrtc::transport::MediaDemuxer& demuxer,
                                       std::shared_ptr<const webrtc::dtls::DtlsCertificate> certificate,
                                       Listener& listener, const Clock& clock) {
  return std::make_unique<MeetingRouter>(config, demuxer, std::move(certificate), listener, clock);
}

}  // namespace medicall::media::router
