#pragma once
// Offer/answer for one attendee's SUBSCRIBE as a pure function: (the SDP offer, what SUBSCRIBE asks,
// what the router has now) -> (a plan the router applies, the SDP answer). No sockets, no router
// state: unit-tested on captured offers (server/test/media/router/SubscribeNegotiatorTest.cpp).
//
// The sections, as the Chime SDK lays them out (chime-protocol.md section 2, chime-protocol-2.md 3.3):
//  - the first live audio section: sendrecv, our mixed audio (kAudioTrackId, our SSRC) in the a=msid
//    stream of the attendee's first remote video ("v_<mid>", AudioSyncStream): browsers synchronise
//    audio and video of one stream only (Chromium: the receiver's first stream id is its sync group),
//    and the SDK names a video tile by its stream id, so the audio joins the video's stream and not
//    the reverse. Chosen at the first answer and kept for the connection (a stream change would take
//    the audio track out of the MediaStream the SDK bound to its audio element). Further audio
//    sections are inactive;
//  - video sections pair with receive_stream_ids in SDP order. 0 marks the attendee's own camera (the
//    first one that sends, while SUBSCRIBE lists a video send stream): recvonly, and when the offer
//    has a=simulcast:send, answered with a=simulcast:recv of its rids (one RecvStream per layer), VP8
//    only. Without simulcast, where H.264 is offered too, VP8 then H.264 and sendrecv without media
//    (AnswerBuilder SectionOptions::sendRecvWithoutMedia: the SDK picks its send codec there, by its
//    preferences and INDEX's codec intersection); Firefox's offers stay recvonly and VP8 (its default
//    stream for a section without a=msid would become an empty tile);
//  - receiving sections get every codec we forward that they offer (VP8, H.264), so a publisher's
//    codec switch needs no renegotiation on the receiving side;
//  - a non-zero stream id that someone else publishes: sendonly, our SSRCs for the mid (kept for the
//    life of the mid, new ones from State::newSsrc), labelled "v_<mid>";
//  - everything else is inactive. transport-cc is answered when offered (we send transport-wide feedback,
//  media/bwe).
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "media/router/ReceiveCodecs.hpp"
#include "media/router/VideoPayloads.hpp"
#include "webrtc/rtp/ExtensionIds.hpp"
#include "webrtc/rtp/KeyframeDetector.hpp"
#include "webrtc/sdp/AnswerBuilder.hpp"
#include "webrtc/sdp/SessionDescription.hpp"

namespace medicall::media::router {

class SubscribeNegotiator {
 public:
  static constexpr const char* kAudioStreamId = "mixed_audio";  // when no video stream can be named
  static constexpr const char* kAudioTrackId = "mixed_audio_track";
  static constexpr const char* kCname = "medicall";

  struct Request {
    bool sendsVideo = false;                 // SUBSCRIBE send_streams has a VIDEO entry
    std::vector<uint32_t> receiveStreamIds;  // one per video m-section in SDP order, 0 = none
  };
  struct State {
    webrtc::sdp::AnswerOptions answerOptions;  // our ICE, DTLS and candidates, session id and version
    uint32_t audioSsrc = 0;                    // ours (0: pick one)
    std::string audioStream;                   // the audio's a=msid stream so far (empty: choose one)
    std::map<std::string, std::pair<uint32_t, uint32_t>>
        sendSsrcs;                                 // existing subscriptions: mid -> ssrc, rtx
    std::map<uint32_t, std::string> streamOwners;  // published stream id -> attendee
    std::string attendeeId;
    std::function<uint32_t()> newSsrc;  // a fresh non-zero SSRC not used toward this attendee
  };
  struct Plan {
    struct Audio {
      std::string mid;
      int payloadType = -1;
      uint32_t remoteSsrc = 0;  // 0: any
    };
    struct Camera {
      std::string mid;                      // empty: the attendee sends no video section we take
      std::vector<std::string> rids;        // simulcast layers in order; empty: one stream
      uint32_t mediaSsrc = 0, rtxSsrc = 0;  // declared in the offer (0: learn)
      uint8_t payloadType = 0;              // 0: not receiving
      int rtxPayloadType = -1;
      webrtc::rtp::VideoCodec codec = webrtc::rtp::VideoCodec::kUnknown;
      VideoPayloads payloads;  // every codec answered (the three above are its first)
    };
    struct Receive {
      std::string mid;
      uint32_t streamId = 0;
      uint32_t ssrc = 0, rtxSsrc = 0;
      uint8_t payloadType = 0;
      int rtxPayloadType = -1;
      VideoPayloads payloads;  // each codec we may send on the mid
    };
    uint32_t audioSsrc = 0;
    std::string audioStream;  // the audio's a=msid stream id (keep it in State for the next offer)
    std::optional<Audio> audio;
    std::optional<Camera> camera;   // set while SUBSCRIBE says the attendee sends video
    std::vector<Receive> receives;  // the sections we send on
    webrtc::rtp::ExtensionIds extensions;
    ReceiveCodecs decodes = ReceiveCodecs::Vp8Only();  // what the attendee's browser decodes (its offer)
    webrtc::sdp::SessionDescription answer;
    std::string sdpAnswer;
  };

  // The a=msid stream for the mixed audio at a connection's first answer: the label of the first video
  // section the attendee receives on, or of the one its browser will add next (Chromium and Firefox
  // number mids 0, 1, 2...: the next is one past the highest), so that the first remote video and the
  // audio share a stream and are played in sync. kAudioStreamId if mids are not numbers.
  static std::string AudioSyncStream(const webrtc::sdp::SessionDescription& offer, const Request& request);

  // nullopt (and `error`) when the offer cannot be answered.
  static std::optional<Plan> Negotiate(const webrtc::sdp::SessionDescription& offer, const Request& request,
                                       const State& state, std::string* error);
};

}  // namespace medicall::media::router
