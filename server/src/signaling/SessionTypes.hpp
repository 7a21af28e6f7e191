#pragma once
// Plain value types exchanged between a SignalingSession and the meeting/media layers.
#include <cstdint>
#include <string>
#include <vector>

#include "signaling/SignalingProtocol.pb.h"

namespace medicall::signaling {

// Who is on the other end of a session. Set by whoever authenticated the JoinToken; frames can
// never change it (a DATA_MESSAGE's sender fields are overwritten from here).
struct SessionIdentity {
  std::string attendeeId;
  std::string externalUserId;
};

// TURN credentials sent in JOIN_ACK. With them the client forces relay-only ICE.
struct TurnCredentials {
  std::string username;
  std::string password;
  uint32_t ttlSeconds = 0;
  std::vector<std::string> uris;
};

// What a SUBSCRIBE asks of the media layer (chime-protocol.md section 2, step 5).
struct SubscribeRequest {
  proto::SdkStreamServiceType duplex = proto::RX;
  std::string sdpOffer;                                 // plain text (we ask for no compression)
  std::vector<proto::SdkStreamDescriptor> sendStreams;  // audio 1/1 and, with the camera, video 2/2
  std::vector<uint32_t> receiveStreamIds;               // one per video m-section, 0 = none
  // Per mid: the SDK's priority and tile bitrate (sent with server-side network adaptation).
  std::vector<proto::SdkVideoSubscriptionConfiguration> videoSubscriptions;
  std::string audioHost;
  bool audioMuted = false;
  bool audioCheckin = false;
  uint32_t sequence = 0;  // 1 for the first SUBSCRIBE of a session, then 2, 3, ...
};

// The media layer's answer. `status` 200 = success; 4xx = the offer was refused (the client
// stops: SignalingBadRequest); 5xx = server trouble (the client reconnects).
struct SubscribeResult {
  uint32_t status = 200;
  std::string description;
  std::string sdpAnswer;
  std::vector<proto::SdkTrackMapping> tracks;           // track_label "v_<mid>" -> stream id, ssrc
  std::vector<proto::SdkStreamAllocation> allocations;  // the client's own send streams

  static SubscribeResult Failure(uint32_t status, std::string description) {
    SubscribeResult r;
    r.status = status;
    r.description = std::move(description);
    return r;
  }
};

}  // namespace medicall::signaling
