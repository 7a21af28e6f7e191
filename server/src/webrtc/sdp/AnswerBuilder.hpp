#pragma once
// Builds the server's SDP answer to a browser offer (RFC 9429 JSEP section 5.3) for an ICE-lite,
// DTLS-passive, BUNDLE + rtcp-mux endpoint, for Chromium's, Firefox's and Safari's offers:
//  - session: a=ice-lite, a=group:BUNDLE of the accepted bundled mids, extmap-allow-mixed if offered
//    (at the level it was offered: session for Chromium, media for Firefox);
//  - each accepted m= section: our port (never 0, never a=bundle-only in an answer: RFC 9429 section
//    5.3.1), one UDP host candidate (given ip/port) + end-of-candidates, our ice-ufrag/pwd,
//    a=fingerprint:sha-256, a=setup:passive (the offer's actpass/active), rtcp-mux (rtcp-rsize if offered);
//  - an offered port-0 section is live when it carries a=bundle-only inside the BUNDLE group (RFC 8843,
//    Firefox's non-first sections); port 0 without it is rejected, and if we cannot take the
//    offerer-tagged section (first BUNDLE mid), every bundled section is rejected (RFC 8843 7.3.3);
//  - codecs by name and parameters, never by position: audio Opus (our fmtp: mono, in-band FEC);
//    video VP8 + its RTX (apt), and, when enabled, H.264 constrained baseline 42e01f
//    packetization-mode=1 + its RTX, in the configured order (not in a section set vp8Only);
//    VP9/AV1/RED/ulpfec are not answered;
//    rtcp-fb nack, nack pli, ccm fir, goog-remb, transport-cc echoed where offered;
//  - header extensions: mid, abs-send-time, transport-wide-cc, audio-level, rtp-stream-id,
//    repaired-rtp-stream-id, video-orientation (CVO, video) with the offered ids (Chromium's and Firefox's
//    differ), kept consistent over the bundle (an extension whose id conflicts with an earlier section is
//    left out of the later one); an offered extension direction is answered reversed;
//  - direction: what the caller configured for the mid, limited by the offer (we can only send what
//    the offer receives); sending sections carry a=msid and a=ssrc (+ ssrc-group FID for RTX);
//  - simulcast only where the caller asks (SectionOptions::receiveSimulcast, the router's camera section):
//    a=rid recv + a=simulcast:recv with the offered rids; elsewhere no a=rid / a=simulcast, so the
//    browser sends one encoding;
//  - sections we cannot take (data channels, no common codec, no rtcp-mux) get port 0.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "webrtc/rtp/ExtensionIds.hpp"
#include "webrtc/sdp/SessionDescription.hpp"

namespace medicall::webrtc::sdp {

// Header-extension ids negotiated for the bundle: the RTP layer's type (webrtc/rtp/ExtensionIds.hpp).
using ExtensionIds = rtp::ExtensionIds;

struct AnswerOptions {
  std::string iceUfrag;           // ours, 4..256 chars (RFC 8839 section 5.4)
  std::string icePwd;             // ours, 22..256 chars
  std::string fingerprintSha256;  // DtlsCertificate::Fingerprint(), "AB:CD:..."
  std::string candidateIp;        // MEDICALL_PUBLIC_IP
  uint16_t candidatePort = 0;     // the media port
  // When not empty, these candidates (LocalCandidates::Build: UDP and ICE-TCP, every address) are
  // written instead of the single candidateIp/candidatePort one; m= port and c= come from the first.
  std::vector<Candidate> candidates;
  bool enableH264 = false;      // offer H.264 constrained baseline (42e01f, packetization-mode=1)
  bool preferH264 = false;      // put H.264 before VP8 when both are accepted
  std::string sessionId = "1";  // o= line
  std::string sessionVersion = "1";
};

// What we send in one m= section.
struct SendParameters {
  std::string msidStream;  // a=msid stream id
  std::string msidTrack;   // a=msid track id
  std::string cname;
  uint32_t ssrc = 0;
  uint32_t rtxSsrc = 0;  // video only; 0 = no RTX stream
};

struct SectionOptions {
  Direction direction = Direction::RecvOnly;  // wished direction, from our side
  std::optional<SendParameters> send;         // required for a direction that sends
  // Receive the offer's simulcast encodings (RFC 8853): a=rid:<id> recv for each rid of the offer's
  // a=simulcast send list and a=simulcast:recv with them in the offered order (paused markers dropped).
  bool receiveSimulcast = false;
  // VP8 (+ RTX) only, even where H.264 is enabled and offered.
  bool vp8Only = false;
  // Answer a sendrecv offer sendrecv although we send nothing on it (no a=msid, no a=ssrc): the Chime
  // SDK takes its send codec from the first payload type of a sendrecv camera section of the answer
  // (SetRemoteDescriptionTask: withVideoSendCodecPreferences, prioritizedSendVideoCodecCapabilities)
  // and renegotiates when INDEX's codec intersection no longer holds it; a recvonly answer hides it.
  bool sendRecvWithoutMedia = false;
};

struct AnswerResult {
  SessionDescription answer;
  std::string sdp;  // SdpWriter::Write(answer)
  ExtensionIds extensions;
};

class AnswerBuilder {
 public:
  explicit AnswerBuilder(AnswerOptions options) : options_(std::move(options)) {}

  // Per-mid configuration. Sections without one receive what the offer sends and send nothing.
  AnswerBuilder& SetSection(const std::string& mid, SectionOptions section);

  // Returns nullopt (and `error`) if the offer cannot be answered at all: no usable m= section,
  // missing ICE credentials or sha-256 fingerprint, a=setup:passive, or incomplete local options.
  std::optional<AnswerResult> Build(const SessionDescription& offer, std::string* error = nullptr) const;

  // The codecs we answer, found by name and parameters (nullptr: not offered): VP8/90000, and H.264
  // constrained baseline (profile-level-id 42e01f) with packetization-mode=1.
  static const Codec* FindVp8(const MediaSection& m);
  static const Codec* FindH264ConstrainedBaseline(const MediaSection& m);

 private:
  SectionOptions SectionFor(const std::string& mid) const;

  AnswerOptions options_;
  std::map<std::string, SectionOptions> sections_;
};

}  // namespace medicall::webrtc::sdp
