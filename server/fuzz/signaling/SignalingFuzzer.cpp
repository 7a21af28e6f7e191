// signaling_fuzzer: FrameCodec::Decode on the raw input, a decode/encode/decode round trip, then
// the input fed to SignalingSessions: one waiting for JOIN (null listener), and one of a meeting
// (null media) that has joined and subscribed, to which the input is fed as a sequence of messages
// split at the 4-byte marker "MCFZ" (so the fuzzer can build JOIN/SUBSCRIBE/LEAVE/... sequences).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/Logger.hpp"
#include "signaling/FrameCodec.hpp"
#include "signaling/MeetingSignaling.hpp"
#include "signaling/SignalingSession.hpp"

namespace {

using namespace medicall::signaling;
namespace proto = medicall::signaling::proto;

constexpr std::string_view kMarker = "MCFZ";

SubscribeResult NullAnswer() {
  SubscribeResult r;
  r.sdpAnswer = "v=0\r\n";
  return r;
}

class NullListener final : public SignalingSession::Listener {
 public:
  std::optional<proto::SdkIndexFrame> OnJoin(SignalingSession&, const proto::SdkJoinFrame&) override {
    return proto::SdkIndexFrame();
  }
  void OnSubscribe(SignalingSession&, SubscribeRequest, SignalingSession::SubscribeDone done) override {
    done(NullAnswer());
  }
  void OnSubscribeAcked(SignalingSession&, uint32_t) override {}
  void OnMuteChanged(SignalingSession&, bool) override {}
  void OnDataMessages(SignalingSession&, const proto::SdkDataMessageFrame&) override {}
  void OnEnded(SignalingSession&, SignalingSession::EndReason) override {}
};

class NullMedia final : public MeetingSignaling::Delegate {
 public:
  proto::SdkIndexFrame IndexFor(const SessionIdentity&) override { return {}; }
  void OnSubscribe(const SessionIdentity&, SubscribeRequest, SignalingSession::SubscribeDone done) override {
    done(NullAnswer());
  }
};

std::string Frame(proto::SdkSignalFrame::Type type) {
  proto::SdkSignalFrame f;
  f.set_type(type);
  if (type == proto::SdkSignalFrame::JOIN) f.mutable_join()->set_protocol_version(2);
  if (type == proto::SdkSignalFrame::SUBSCRIBE) f.mutable_sub()->set_sdp_offer("v=0\r\n");
  return FrameCodec::Encode(f);
}

SignalingSession::Transport Sink(size_t* bytesOut) {
  return {[bytesOut](std::string bytes) {
            // Everything a session sends must decode.
            if (!FrameCodec::Decode(bytes)) __builtin_trap();
            *bytesOut += bytes.size();
          },
          [](uint16_t, std::string reason) {
            if (reason.size() > 123) __builtin_trap();  // RFC 6455 close reason limit
          }};
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  medicall::log::SetLevel(medicall::log::Level::Off);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  // 1. The codec alone, and a round trip of whatever it accepts.
  DecodedFrame decoded = FrameCodec::Decode(std::span<const uint8_t>(data, size));
  if (decoded) {
    proto::SdkSignalFrame copy = *decoded.frame;
    const std::string again = FrameCodec::Encode(copy);
    if (again.empty() || !FrameCodec::Decode(again)) __builtin_trap();
  }

  size_t sent = 0;
  // 2. A fresh session (waiting for JOIN) gets the whole input as one message.
  NullListener listener;
  auto fresh = std::make_shared<SignalingSession>(SessionIdentity{"fuzz", "fuzz-ext"}, Sink(&sent), listener,
                                                  SignalingSession::Options{});
  fresh->OnBinaryMessage(input);
  fresh->OnTransportClosed(1006);

  // 3. A meeting with one present attendee; a second, joined and subscribed, gets the input as
  //    a sequence of messages.
  NullMedia media;
  MeetingSignaling meeting("fuzz-meeting", media);
  auto other = meeting.Connect({"other", "other-ext"}, Sink(&sent));
  other->OnBinaryMessage(Frame(proto::SdkSignalFrame::JOIN));
  other->OnBinaryMessage(Frame(proto::SdkSignalFrame::SUBSCRIBE));
  auto session = meeting.Connect({"fuzz", "fuzz-ext"}, Sink(&sent));
  session->OnBinaryMessage(Frame(proto::SdkSignalFrame::JOIN));
  session->OnBinaryMessage(Frame(proto::SdkSignalFrame::SUBSCRIBE));
  size_t start = 0;
  while (start <= input.size()) {
    size_t end = input.find(kMarker, start);
    if (end == std::string_view::npos) end = input.size();
    session->OnBinaryMessage(input.substr(start, end - start));
    start = end + kMarker.size();
  }
  session->OnTransportClosed(1006);
  meeting.EndMeeting();
  return 0;
}
