// signaling_codec_tool: the C++ half of the cross-implementation test (tests/signaling/codec.test.mjs).
//
//   signaling_codec_tool encode <dir>   writes <name>.bin (0x05 + SdkSignalFrame) for each frame below
//                                       and prints the names, one per line
//   signaling_codec_tool decode <file>  decodes one message with FrameCodec and prints the frame as
//                                       proto3-JSON (lowerCamelCase names, 64-bit as strings, bytes
//                                       base64); on failure prints {"error": "..."} and exits 2
//   signaling_codec_tool scenario <dir> runs a meeting through MeetingSignaling (see Scenario())
//                                       and writes every frame the first attendee receives to
//                                       <dir>/obs-NNN.bin; prints how many
//
// The node test holds its own copy of the expected values and checks every field with the SDK's
// generated decoder, and encodes client frames with the SDK's encoder for `decode`.
#include <google/protobuf/util/json_util.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/Logger.hpp"
#include "signaling/FrameCodec.hpp"
#include "signaling/MeetingSignaling.hpp"

namespace {

using medicall::signaling::FrameCodec;
namespace proto = medicall::signaling::proto;
using Type = proto::SdkSignalFrame;

constexpr uint64_t kTimestampMs = 1700000000123ULL;

proto::SdkSignalFrame Frame(Type::Type type) {
  proto::SdkSignalFrame f;
  f.set_type(type);
  f.set_timestamp_ms(kTimestampMs);
  return f;
}

proto::SdkSignalFrame JoinAck() {
  auto f = Frame(Type::JOIN_ACK);
  auto* ack = f.mutable_joinack();
  auto* turn = ack->mutable_turn_credentials();
  turn->set_username("1700086400:c9bfb864-fb8c-410f-8d54-584c9cdbe579");
  turn->set_password("q0f2n3Yv7yJb2bM2bq8bL1w0dGk=");
  turn->set_ttl(86400);
  turn->add_uris("turn:10.0.0.1:3478?transport=udp");
  turn->add_uris("turns:turn.example.com:443?transport=tcp");
  ack->set_video_subscription_limit(25);
  ack->set_wants_compressed_sdp(false);
  ack->set_default_server_side_network_adaption(proto::NONE);
  return f;
}

void AddSource(proto::SdkIndexFrame* index, uint32_t streamId, uint32_t groupId, const char* attendee,
               const char* external, uint32_t width, uint32_t height) {
  auto* s = index->add_sources();
  s->set_stream_id(streamId);
  s->set_group_id(groupId);
  s->set_attendee_id(attendee);
  s->set_external_user_id(external);
  s->set_media_type(proto::VIDEO);
  s->set_max_bitrate_kbps(1500);
  s->set_avg_bitrate_bps(1200000);
  s->set_width(width);
  s->set_height(height);
  s->set_framerate(15);
}

proto::SdkSignalFrame Index() {
  auto f = Frame(Type::INDEX);
  auto* index = f.mutable_index();
  index->set_at_capacity(false);
  AddSource(index, 10, 2, "afdea064-56fb-4285-bc1a-e10ef9a4678b", "dr-house", 1280, 720);
  AddSource(index, 12, 4, "c9bfb864-fb8c-410f-8d54-584c9cdbe579", "patient-\xc3\xa9l\xc3\xa8ve", 640, 480);
  index->set_num_participants(3);
  index->add_supported_receive_codec_intersection(proto::VP8);
  index->add_supported_receive_codec_intersection(proto::H264_CONSTRAINED_BASELINE_PROFILE);
  return f;
}

proto::SdkSignalFrame SubscribeAck() {
  auto f = Frame(Type::SUBSCRIBE_ACK);
  auto* ack = f.mutable_suback();
  ack->set_duplex(proto::DUPLEX);
  ack->set_sdp_answer(
      "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=ice-lite\r\na=group:BUNDLE 0 1 2\r\n");
  auto* t1 = ack->add_tracks();
  t1->set_stream_id(10);
  t1->set_ssrc(3735928559u);  // 0xDEADBEEF: above 2^31
  t1->set_track_label("v_2");
  auto* t2 = ack->add_tracks();
  t2->set_stream_id(12);
  t2->set_ssrc(349637081);
  t2->set_track_label("v_3");
  auto* a = ack->add_allocations();
  a->set_track_label("AmazonChimeExpressVideo");
  a->set_stream_id(11);
  a->set_group_id(2);
  return f;
}

proto::SdkSignalFrame AudioStreamIdInfo() {
  auto f = Frame(Type::AUDIO_STREAM_ID_INFO);
  auto* info = f.mutable_audio_stream_id_info();
  auto* present = info->add_streams();
  present->set_audio_stream_id(1);
  present->set_attendee_id("afdea064-56fb-4285-bc1a-e10ef9a4678b");
  present->set_external_user_id("dr-house");
  present->set_muted(false);
  auto* mute = info->add_streams();
  mute->set_audio_stream_id(2);
  mute->set_muted(true);
  info->add_streams()->set_audio_stream_id(3);  // left
  auto* dropped = info->add_streams();
  dropped->set_audio_stream_id(4);
  dropped->set_dropped(true);
  return f;
}

proto::SdkSignalFrame AudioMetadata() {
  auto f = Frame(Type::AUDIO_METADATA);
  auto* m = f.mutable_audio_metadata();
  auto* s1 = m->add_attendee_states();
  s1->set_audio_stream_id(1);
  s1->set_volume(30);
  s1->set_signal_strength(2);
  auto* s2 = m->add_attendee_states();
  s2->set_audio_stream_id(2);
  s2->set_volume(0);
  s2->set_muted(true);
  s2->set_signal_strength(0);
  return f;
}

proto::SdkSignalFrame DataMessage() {
  auto f = Frame(Type::DATA_MESSAGE);
  auto* m = f.mutable_data_message()->add_messages();
  m->set_topic("chat-1_x");
  m->set_data(std::string("hi\0\xff\x80 there", 11));
  m->set_lifetime_ms(300000);
  m->set_sender_attendee_id("afdea064-56fb-4285-bc1a-e10ef9a4678b");
  m->set_sender_external_user_id("dr-house");
  m->set_ingest_time_ns(
      1700000000123456768LL);  // above 2^53, yet exact as a double (the browser reads a number)
  auto* throttled = f.mutable_data_message()->add_messages();
  throttled->set_topic("t");
  throttled->set_data("x");
  throttled->set_sender_attendee_id("c9bfb864-fb8c-410f-8d54-584c9cdbe579");
  throttled->set_sender_external_user_id("patient");
  throttled->set_ingest_time_ns(0);
  return f;
}

proto::SdkSignalFrame Pong() {
  auto f = Frame(Type::PING_PONG);
  f.mutable_ping_pong()->set_type(proto::PONG);
  f.mutable_ping_pong()->set_ping_id(4294967295u);
  return f;
}

proto::SdkSignalFrame PongUnstamped() {  // timestamp_ms filled by FrameCodec::Encode
  proto::SdkSignalFrame f;
  f.set_type(Type::PING_PONG);
  f.mutable_ping_pong()->set_type(proto::PONG);
  f.mutable_ping_pong()->set_ping_id(7);
  return f;
}

proto::SdkSignalFrame AudioStatus() {
  auto f = Frame(Type::AUDIO_STATUS);
  f.mutable_audio_status()->set_audio_status(410);
  return f;
}

proto::SdkSignalFrame LeaveAck() {
  auto f = Frame(Type::LEAVE_ACK);
  f.mutable_leave_ack();
  return f;
}

proto::SdkSignalFrame SubscribeError() {
  auto f = Frame(Type::SUBSCRIBE_ACK);
  f.mutable_error()->set_status(400);
  f.mutable_error()->set_description("SUBSCRIBE before JOIN");
  return f;
}

const std::vector<std::pair<const char*, std::function<proto::SdkSignalFrame()>>>& Frames() {
  static const std::vector<std::pair<const char*, std::function<proto::SdkSignalFrame()>>> frames = {
      {"join_ack", JoinAck},
      {"index", Index},
      {"subscribe_ack", SubscribeAck},
      {"audio_stream_id_info", AudioStreamIdInfo},
      {"audio_metadata", AudioMetadata},
      {"data_message", DataMessage},
      {"pong", Pong},
      {"pong_unstamped", PongUnstamped},
      {"audio_status", AudioStatus},
      {"leave_ack", LeaveAck},
      {"subscribe_error", SubscribeError},
  };
  return frames;
}

int Encode(const std::string& dir) {
  for (const auto& [name, make] : Frames()) {
    proto::SdkSignalFrame frame = make();
    const std::string bytes = FrameCodec::Encode(frame);
    if (bytes.empty()) {
      std::cerr << "encode failed: " << name << "\n";
      return 1;
    }
    std::ofstream out(dir + "/" + name + ".bin", std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) {
      std::cerr << "cannot write " << dir << "/" << name << ".bin\n";
      return 1;
    }
    std::cout << name << "\n";
  }
  return 0;
}

int Decode(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "cannot read " << path << "\n";
    return 1;
  }
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto decoded = FrameCodec::Decode(bytes);
  if (!decoded) {
    std::cout << "{\"error\":\"" << medicall::signaling::ToString(decoded.error) << "\"}\n";
    return 2;
  }
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = false;
  if (!google::protobuf::util::MessageToJsonString(*decoded.frame, &json, options).ok()) {
    std::cerr << "cannot print JSON\n";
    return 1;
  }
  std::cout << json << "\n";
  return 0;
}

// ---- scenario: presence, mute, data, reconnect, drop, metadata, meeting end ----------------------

using medicall::signaling::MeetingSignaling;
using medicall::signaling::SessionIdentity;
using medicall::signaling::SignalingSession;
using medicall::signaling::SubscribeRequest;
using medicall::signaling::SubscribeResult;

class ScenarioMedia final : public MeetingSignaling::Delegate {
 public:
  proto::SdkIndexFrame IndexFor(const SessionIdentity&) override { return {}; }
  void OnSubscribe(const SessionIdentity&, SubscribeRequest, SignalingSession::SubscribeDone done) override {
    SubscribeResult r;
    r.sdpAnswer = "v=0\r\n";
    done(std::move(r));
  }
};

std::string ClientFrame(proto::SdkSignalFrame f) {
  f.set_timestamp_ms(kTimestampMs);
  return FrameCodec::Encode(f);
}

std::string ClientJoin() {
  proto::SdkSignalFrame f;
  f.set_type(Type::JOIN);
  f.mutable_join()->set_protocol_version(2);
  return ClientFrame(f);
}

std::string ClientSubscribe() {
  proto::SdkSignalFrame f;
  f.set_type(Type::SUBSCRIBE);
  f.mutable_sub()->set_sdp_offer("v=0\r\n");
  f.mutable_sub()->set_audio_muted(false);
  return ClientFrame(f);
}

struct ScenarioClient {
  std::vector<std::string> received;
  std::shared_ptr<SignalingSession> session;
};

std::unique_ptr<ScenarioClient> Arrive(MeetingSignaling& meeting, const std::string& id,
                                       const std::string& ext) {
  auto c = std::make_unique<ScenarioClient>();
  auto* raw = c.get();
  c->session =
      meeting.Connect({id, ext}, {[raw](std::string bytes) { raw->received.push_back(std::move(bytes)); },
                                  [](uint16_t, std::string) {}});
  c->session->OnBinaryMessage(ClientJoin());
  c->session->OnBinaryMessage(ClientSubscribe());
  return c;
}

// What the observer ("obs", first in the meeting) receives, in order:
//   obs arrives; a arrives; a mutes; b arrives; b sends "hello" on topic chat (claiming to be obs);
//   b leaves; a reconnects (new session, new stream id); a's page goes away (1001); the mixer reports
//   obs's volume; the meeting ends.
int Scenario(const std::string& dir) {
  ScenarioMedia media;
  MeetingSignaling meeting("scenario", media);
  auto obs = Arrive(meeting, "obs", "observer");
  auto a = Arrive(meeting, "a", "dr-a");
  proto::SdkSignalFrame mute;
  mute.set_type(Type::AUDIO_CONTROL);
  mute.mutable_audio_control()->set_muted(true);
  a->session->OnBinaryMessage(ClientFrame(mute));
  auto b = Arrive(meeting, "b", "ext-b");
  proto::SdkSignalFrame data;
  data.set_type(Type::DATA_MESSAGE);
  auto* m = data.mutable_data_message()->add_messages();
  m->set_topic("chat");
  m->set_data("hello");
  m->set_sender_attendee_id("obs");
  b->session->OnBinaryMessage(ClientFrame(data));
  proto::SdkSignalFrame leave;
  leave.set_type(Type::LEAVE);
  leave.mutable_leave();
  b->session->OnBinaryMessage(ClientFrame(leave));
  auto a2 = Arrive(meeting, "a", "dr-a");
  a2->session->OnTransportClosed(1001);  // the page went away: dropped at once
  proto::SdkAudioMetadataFrame metadata;
  auto* state = metadata.add_attendee_states();
  state->set_audio_stream_id(*meeting.AudioStreamIdOf("obs"));
  state->set_volume(14);  // -14 dBFS: the loudest the client maps (1.0)
  state->set_signal_strength(2);
  meeting.BroadcastAudioMetadata(metadata);
  meeting.EndMeeting();

  for (size_t i = 0; i < obs->received.size(); ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "/obs-%03zu.bin", i);
    std::ofstream out(dir + name, std::ios::binary);
    out.write(obs->received[i].data(), static_cast<std::streamsize>(obs->received[i].size()));
    if (!out) return 1;
  }
  std::cout << obs->received.size() << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  medicall::log::SetLevel(medicall::log::Level::Warn);
  if (argc == 3 && std::string(argv[1]) == "encode") return Encode(argv[2]);
  if (argc == 3 && std::string(argv[1]) == "decode") return Decode(argv[2]);
  if (argc == 3 && std::string(argv[1]) == "scenario") return Scenario(argv[2]);
  std::cerr << "usage: " << argv[0] << " encode <dir> | decode <file> | scenario <dir>\n";
  return 64;
}
