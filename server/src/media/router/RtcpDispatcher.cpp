#include "media/router/RtcpDispatcher.hpp"

#include "webrtc/rtcp/Fir.hpp"
#include "webrtc/rtcp/Pli.hpp"
#include "webrtc/rtcp/ReceiverReport.hpp"
#include "webrtc/rtcp/Remb.hpp"
#include "webrtc/rtcp/RtcpCompound.hpp"
#include "webrtc/rtcp/SenderReport.hpp"

namespace medicall::media::router {

namespace rtcp = webrtc::rtcp;

bool RtcpDispatcher::Dispatch(std::span<const uint8_t> data, Handler& handler) {
  rtcp::RtcpCompound compound(data);
  if (!compound.Validate()) return false;
  compound.ForEach([&](const rtcp::RtcpCompound::Packet& p) {
    const uint8_t type = p.header.packetType;
    const uint8_t fmt = p.header.count;
    if (type == static_cast<uint8_t>(rtcp::PacketType::kSr)) {
      auto sr = rtcp::SenderReport::Parse(p.data);
      if (!sr) return;
      handler.OnSenderReport(sr->senderSsrc, sr->ntpTimestamp);
      handler.OnReportBlocks(std::span(sr->blocks).first(sr->blockCount));
    } else if (type == static_cast<uint8_t>(rtcp::PacketType::kRr)) {
      if (auto rr = rtcp::ReceiverReport::Parse(p.data))
        handler.OnReportBlocks(std::span(rr->blocks).first(rr->blockCount));
    } else if (type == static_cast<uint8_t>(rtcp::PacketType::kPsfb) && fmt == rtcp::kFmtPli) {
      if (auto pli = rtcp::Pli::Parse(p.data)) handler.OnKeyframeRequest(pli->mediaSsrc);
    } else if (type == static_cast<uint8_t>(rtcp::PacketType::kPsfb) && fmt == rtcp::kFmtFir) {
      if (auto fir = rtcp::Fir::Parse(p.data)) {
        for (size_t i = 0; i < fir->entryCount; ++i) handler.OnKeyframeRequest(fir->entries[i].ssrc);
      }
    } else if (type == static_cast<uint8_t>(rtcp::PacketType::kPsfb) && fmt == rtcp::kFmtAfb) {
      if (auto remb = rtcp::Remb::Parse(p.data))
        handler.OnRemb(remb->bitrate, std::span(remb->ssrcs).first(remb->ssrcCount));
    } else if (type == static_cast<uint8_t>(rtcp::PacketType::kRtpfb) && fmt == rtcp::kFmtNack) {
      if (auto nack = rtcp::Nack::Parse(p.data)) handler.OnNack(*nack);
    } else if (type == static_cast<uint8_t>(rtcp::PacketType::kRtpfb) && fmt == rtcp::kFmtTransportFeedback) {
      handler.OnTransportFeedback(p.data);
    }
  });
  return true;
}

}  // namespace medicall::media::router
