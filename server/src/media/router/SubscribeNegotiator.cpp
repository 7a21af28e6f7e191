#include "media/router/SubscribeNegotiator.hpp"

#include <algorithm>

#include "webrtc/sdp/SdpWriter.hpp"

namespace medicall::media::router {

namespace sdp = webrtc::sdp;

namespace {

// The video codecs of an answered section in its order: payload type, RTX payload type (-1: none), codec.
VideoPayloads VideoPayloadTypes(const sdp::MediaSection& answered) {
  VideoPayloads payloads;
  for (const sdp::Codec& c : answered.codecs) {
    const webrtc::rtp::VideoCodec codec = webrtc::rtp::KeyframeDetector::CodecFromName(c.name);
    if (codec == webrtc::rtp::VideoCodec::kUnknown) continue;  // RTX, or nothing we forward
    const sdp::Codec* rtx = answered.FindRtxFor(c.payloadType);
    payloads.Add({codec, c.payloadType, rtx != nullptr ? rtx->payloadType : -1});
  }
  return payloads;
}

// Firefox writes o=mozilla...THIS_IS_SDPARTA-<version> (its JsepSessionImpl); Chromium's user name
// starts with "mozilla" too, hence the marker.
bool FirefoxOffer(const sdp::SessionDescription& offer) {
  return offer.originUsername.find("THIS_IS_SDPARTA") != std::string::npos;
}

// The label of a video section we send on (its a=msid stream and track are derived from it).
std::string VideoLabel(const std::string& mid) { return "v_" + mid; }

}  // namespace

std::string SubscribeNegotiator::AudioSyncStream(const sdp::SessionDescription& offer,
                                                 const Request& request) {
  size_t videoIndex = 0;
  long highest = -1;
  for (const sdp::MediaSection& m : offer.media) {
    long mid = -1;
    if (!m.mid.empty() && m.mid.size() <= 6 &&
        std::all_of(m.mid.begin(), m.mid.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      mid = std::stol(m.mid);
    }
    if (mid < 0) return kAudioStreamId;
    highest = std::max(highest, mid);
    if (m.kind != sdp::MediaKind::Video) continue;
    const uint32_t streamId =
        videoIndex < request.receiveStreamIds.size() ? request.receiveStreamIds[videoIndex] : 0;
    ++videoIndex;
    if (streamId != 0 && !m.Rejected() && sdp::Receives(m.direction)) return VideoLabel(m.mid);
  }
  return VideoLabel(std::to_string(highest + 1));
}

std::optional<SubscribeNegotiator::Plan> SubscribeNegotiator::Negotiate(const sdp::SessionDescription& offer,
                                                                        const Request& request,
                                                                        const State& state,
                                                                        std::string* error) {
  Plan plan;
  plan.audioSsrc = state.audioSsrc != 0 ? state.audioSsrc : state.newSsrc();
  plan.audioStream = !state.audioStream.empty() ? state.audioStream : AudioSyncStream(offer, request);
  sdp::AnswerBuilder builder(state.answerOptions);
  std::vector<uint32_t> taken;  // SSRCs handed out in this negotiation
  auto fresh = [&] {
    uint32_t v = state.newSsrc();
    while (v == plan.audioSsrc || std::find(taken.begin(), taken.end(), v) != taken.end())
      v = state.newSsrc();
    taken.push_back(v);
    return v;
  };

  std::string cameraMid;
  bool audioTaken = false;
  size_t videoIndex = 0;
  for (const sdp::MediaSection& m : offer.media) {
    if (m.kind == sdp::MediaKind::Audio) {
      if (!audioTaken && !m.Rejected()) {
        audioTaken = true;
        sdp::SendParameters send{plan.audioStream, kAudioTrackId, kCname, plan.audioSsrc, 0};
        builder.SetSection(m.mid, sdp::SectionOptions{sdp::Direction::SendRecv, send});
      } else {
        builder.SetSection(m.mid, sdp::SectionOptions{sdp::Direction::Inactive, std::nullopt});
      }
      continue;
    }
    if (m.kind != sdp::MediaKind::Video) continue;
    const uint32_t streamId =
        videoIndex < request.receiveStreamIds.size() ? request.receiveStreamIds[videoIndex] : 0;
    ++videoIndex;
    if (m.Rejected()) continue;
    if (streamId == 0) {
      // The attendee's own camera section (receive_stream_ids has 0 for it), or an idle one.
      if (request.sendsVideo && cameraMid.empty() && sdp::Sends(m.direction)) {
        cameraMid = m.mid;
        sdp::SectionOptions options{sdp::Direction::RecvOnly, std::nullopt};
        options.receiveSimulcast = true;
        // VP8 simulcast (the SDK sets no codec preference with simulcast); Firefox: see above.
        options.vp8Only = !m.SimulcastSendRids().empty() || FirefoxOffer(offer);
        options.sendRecvWithoutMedia = !options.vp8Only && state.answerOptions.enableH264 &&
                                       sdp::AnswerBuilder::FindH264ConstrainedBaseline(m) != nullptr;
        builder.SetSection(m.mid, options);
      } else {
        builder.SetSection(m.mid, sdp::SectionOptions{sdp::Direction::Inactive, std::nullopt});
      }
      continue;
    }
    auto owner = state.streamOwners.find(streamId);
    if (owner == state.streamOwners.end() || owner->second == state.attendeeId ||
        !sdp::Receives(m.direction)) {
      builder.SetSection(m.mid, sdp::SectionOptions{sdp::Direction::Inactive, std::nullopt});
      continue;
    }
    Plan::Receive receive;
    receive.mid = m.mid;
    receive.streamId = streamId;
    if (auto it = state.sendSsrcs.find(m.mid); it != state.sendSsrcs.end()) {
      receive.ssrc = it->second.first;
      receive.rtxSsrc = it->second.second;
    } else {
      receive.ssrc = fresh();
      receive.rtxSsrc = fresh();
    }
    const std::string label = VideoLabel(m.mid);
    sdp::SendParameters send{label, label + "_track", kCname, receive.ssrc, receive.rtxSsrc};
    builder.SetSection(m.mid, sdp::SectionOptions{sdp::Direction::SendOnly, send});
    plan.receives.push_back(std::move(receive));
  }

  auto result = builder.Build(offer, error);
  if (!result) return std::nullopt;
  plan.extensions = result->extensions;
  plan.decodes = ReceiveCodecs::FromOffer(offer);

  for (const sdp::MediaSection& a : result->answer.media) {
    if (a.kind != sdp::MediaKind::Audio || a.Rejected() || a.codecs.empty()) continue;
    const sdp::MediaSection* o = offer.FindMid(a.mid);
    plan.audio = Plan::Audio{a.mid, a.codecs.front().payloadType,
                             o != nullptr && !o->ssrcs.empty() ? o->ssrcs.front().ssrc : 0};
    break;
  }

  if (request.sendsVideo) {
    Plan::Camera camera;
    camera.mid = cameraMid;
    const sdp::MediaSection* a = cameraMid.empty() ? nullptr : result->answer.FindMid(cameraMid);
    const sdp::MediaSection* o = cameraMid.empty() ? nullptr : offer.FindMid(cameraMid);
    if (a != nullptr && o != nullptr && !a->Rejected() && sdp::Receives(a->direction)) {
      camera.payloads = VideoPayloadTypes(*a);
      if (const VideoPayload* first = camera.payloads.Primary()) {
        camera.payloadType = first->payloadType;
        camera.rtxPayloadType = first->rtxPayloadType;
        camera.codec = first->codec;
      }
      for (const sdp::Rid& rid : a->rids) camera.rids.push_back(rid.id);
      if (camera.rids.empty()) {
        if (const sdp::SsrcGroup* fid = o->FindSsrcGroup("FID"); fid != nullptr && fid->ssrcs.size() >= 2) {
          camera.mediaSsrc = fid->ssrcs[0];
          camera.rtxSsrc = fid->ssrcs[1];
        } else if (!o->ssrcs.empty()) {
          camera.mediaSsrc = o->ssrcs.front().ssrc;
        }
      }
    }
    plan.camera = std::move(camera);
  }

  std::vector<Plan::Receive> sending;
  for (Plan::Receive& r : plan.receives) {
    const sdp::MediaSection* a = result->answer.FindMid(r.mid);
    if (a == nullptr || a->Rejected() || !sdp::Sends(a->direction)) continue;
    r.payloads = VideoPayloadTypes(*a);
    const VideoPayload* first = r.payloads.Primary();
    if (first == nullptr) continue;
    r.payloadType = first->payloadType;
    r.rtxPayloadType = first->rtxPayloadType;
    sending.push_back(std::move(r));
  }
  plan.receives = std::move(sending);
  plan.sdpAnswer = sdp::SdpWriter::Write(result->answer);
  plan.answer = std::move(result->answer);
  return plan;
}

}  // namespace medicall::media::router
