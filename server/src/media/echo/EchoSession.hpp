#pragma once
// One echo call (test endpoint): a server WebRtcTransport whose decrypted RTP comes straight back
// to the same browser on the server's own SSRCs (audio, video and video RTX), re-encrypted.
// Receiver feedback the browser sends about our streams (PLI, FIR, generic NACK) is forwarded to
// the browser's own outgoing streams, so keyframes and retransmissions are produced end to end.
// Worker thread only; no allocation per packet.
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "webrtc/srtp/SrtpProfile.hpp"
#include "webrtc/transport/MediaDemuxer.hpp"
#include "webrtc/transport/WebRtcTransport.hpp"

namespace medicall::media::echo {

class EchoSession final : public webrtc::transport::WebRtcTransport::Listener {
 public:
  // Which payload types are which and the SSRCs we send on (from the SDP answer).
  struct Streams {
    std::vector<uint8_t> audioPts;
    std::vector<uint8_t> videoPts;  // primary video codecs (VP8, H.264)
    std::vector<uint8_t> rtxPts;    // video RTX
    uint32_t audioSsrc = 0;
    uint32_t videoSsrc = 0;
    uint32_t rtxSsrc = 0;
  };
  struct Counters {
    uint64_t echoedRtp = 0;
    uint64_t unknownPayloadType = 0;
    uint64_t oversized = 0;
    uint64_t forwardedPli = 0, forwardedFir = 0, forwardedNack = 0;
  };
  using ClosedCallback = std::function<void(EchoSession&, webrtc::transport::WebRtcTransport::CloseReason)>;

  EchoSession(Streams streams, webrtc::transport::WebRtcTransport::Options options,
              std::shared_ptr<const webrtc::dtls::DtlsCertificate> certificate,
              webrtc::transport::MediaDemuxer& demuxer, ClosedCallback onClosed);
  ~EchoSession() override;
  EchoSession(const EchoSession&) = delete;
  EchoSession& operator=(const EchoSession&) = delete;

  // Registers with the demuxer and starts the transport. False on a bad remote fingerprint.
  bool Start();
  webrtc::transport::WebRtcTransport& Transport() { return *transport_; }
  const Counters& GetCounters() const { return counters_; }
  const std::string& Id() const { return transport_->LocalUfrag(); }

  // WebRtcTransport::Listener
  void OnTransportRtp(webrtc::transport::WebRtcTransport& transport, std::span<uint8_t> packet,
                      int64_t queuedUs) override;
  void OnTransportRtcp(webrtc::transport::WebRtcTransport& transport, std::span<uint8_t> packet) override;
  void OnTransportConnected(webrtc::transport::WebRtcTransport& transport) override;
  void OnTransportClosed(webrtc::transport::WebRtcTransport& transport,
                         webrtc::transport::WebRtcTransport::CloseReason reason) override;

 private:
  static constexpr size_t kMaxPacket = 1500;
  bool Contains(const std::vector<uint8_t>& pts, uint8_t pt) const;
  // Browser-side SSRC for one of our SSRCs (0 when not yet known).
  uint32_t PeerSsrcFor(uint32_t ourSsrc) const;
  void SendRtcp(size_t length);
  void RequestKeyframe();

  Streams streams_;
  webrtc::transport::MediaDemuxer& demuxer_;
  ClosedCallback onClosed_;
  std::unique_ptr<webrtc::transport::WebRtcTransport> transport_;
  uint32_t peerAudioSsrc_ = 0;
  uint32_t peerVideoSsrc_ = 0;
  uint32_t peerRtxSsrc_ = 0;
  uint8_t firSeq_ = 0;
  Counters counters_;
  std::array<uint8_t, kMaxPacket + webrtc::srtp::kSrtpMaxTrailerLength> rtpBuffer_{};
  std::array<uint8_t, kMaxPacket + webrtc::srtp::kSrtpMaxTrailerLength> rtcpBuffer_{};
};

}  // namespace medicall::media::echo
