#include "media/audio/MeetingAudio.hpp"

#include <gtest/gtest.h>

#include <boost/asio/post.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "media/audio/AudioLevel.hpp"
#include "media/audio/AudioTestSignals.hpp"
#include "media/audio/OpusDecoderStage.hpp"
#include "media/audio/OpusPacket.hpp"
#include "common/Clock.hpp"
#include "webrtc/rtcp/RtcpCompound.hpp"
#include "webrtc/rtcp/Sdes.hpp"
#include "webrtc/rtcp/SenderReport.hpp"
#include "webrtc/rtp/RtpPacket.hpp"
#include "webrtc/rtp/RtpPacketBuilder.hpp"

// The allocation counter of the test binary (AudioMixerTest.cpp replaces operator new).
extern std::atomic<bool> gCountAllocations;
extern std::atomic<uint64_t> gAllocations;

namespace medicall::media::audio {
namespace {

using webrtc::rtp::RtpPacket;
using webrtc::rtp::RtpPacketBuilder;

constexpr double kAudible = 1e-4;  // tone energy of a 0.2 sine is about 0.01

// What the router would do with MeetingAudio's output: here, keep copies.
class RecordingSink : public MeetingAudio::Sink {
 public:
  struct Rtcp {
    std::vector<uint8_t> bytes;
    std::size_t afterPackets = 0;  // RTP packets the attendee had received when this was sent
  };

  void SendAudioRtp(const std::string& attendeeId, std::span<uint8_t> buffer, std::size_t length) override {
    EXPECT_LE(length, buffer.size());
    EXPECT_GE(buffer.size() - length, MeetingAudio::kTrailerRoom);
    rtp[attendeeId].emplace_back(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(length));
    if (onRtp) onRtp(attendeeId);
  }
  void SendAudioRtcp(const std::string& attendeeId, std::span<uint8_t> buffer, std::size_t length) override {
    EXPECT_LE(length, buffer.size());
    EXPECT_GE(buffer.size() - length, MeetingAudio::kTrailerRoom);
    rtcp[attendeeId].push_back(
        Rtcp{{buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(length)}, rtp[attendeeId].size()});
  }
  void OnAudioLevels(std::span<const AttendeeLevel> report) override {
    levels.emplace_back(report.begin(), report.end());
  }

  std::optional<AttendeeLevel> LastLevel(uint32_t streamId) const {
    if (levels.empty()) return std::nullopt;
    for (const AttendeeLevel& l : levels.back()) {
      if (l.id == streamId) return l;
    }
    return std::nullopt;
  }

  std::map<std::string, std::vector<std::vector<uint8_t>>> rtp;
  std::map<std::string, std::vector<Rtcp>> rtcp;
  std::vector<std::vector<AttendeeLevel>> levels;
  std::function<void(const std::string&)> onRtp;
};

// An attendee's browser: a sine through its own Opus encoder, one RTP packet per 20 ms.
struct Browser {
  std::string id;
  double hz = 0;
  double amplitude = 0;
  uint32_t ssrc = 0;
  uint8_t payloadType = 111;
  uint8_t levelExtId = 0;             // sends the RFC 6464 audio level with this id
  std::optional<uint8_t> fixedLevel;  // ... this value instead of the measured one
  OpusEncoderStage encoder;
  std::size_t frame = 0;
  uint16_t seq = 0;
  uint32_t timestamp = 0;
  std::vector<uint8_t> lastPayload;
  std::vector<std::vector<uint8_t>> sent;  // every payload, in order
  std::vector<uint8_t> wire = std::vector<uint8_t>(1500);
  bool keepHistory = true;

  // The next packet, as parsed by the router (a view into `wire`).
  RtpPacket NextPacket() {
    const test::Frame pcm = test::SineFrame(hz, amplitude, frame++);
    const auto payload = encoder.Encode(pcm);
    lastPayload.assign(payload.begin(), payload.end());
    if (keepHistory) sent.push_back(lastPayload);
    RtpPacketBuilder builder;
    builder.SetPayloadType(payloadType).SetSequenceNumber(seq++).SetTimestamp(timestamp).SetSsrc(ssrc);
    timestamp += kRtpTimestampStep;
    if (levelExtId != 0) {
      const auto measured = static_cast<uint8_t>(std::lround(-AudioLevel::RmsDbov(pcm)));
      EXPECT_TRUE(builder.AddAudioLevel(levelExtId, {.voice = true, .level = fixedLevel.value_or(measured)}));
    }
    const std::size_t size = builder.Build(payload, wire);
    EXPECT_GT(size, 0u);
    auto packet = RtpPacket::Parse(std::span<uint8_t>(wire.data(), size));
    EXPECT_TRUE(packet.has_value());
    return *packet;
  }
};

class Meeting {
 public:
  explicit Meeting(const MeetingAudio::Options& options = {}) : audio(io, options, sink) {}

  Browser& Join(const std::string& id, double hz, double amplitude,
                const MeetingAudio::ListenerParams& params) {
    auto b = std::make_unique<Browser>();
    b->id = id;
    b->hz = hz;
    b->amplitude = amplitude;
    b->ssrc = 0xA0000000u + static_cast<uint32_t>(browsers.size());
    b->seq = static_cast<uint16_t>(65500 + browsers.size());  // wraps during the tests
    b->timestamp = 123456u * static_cast<uint32_t>(browsers.size() + 1);
    const uint32_t streamId = audio.AddAttendee(id, params);
    EXPECT_NE(streamId, 0u);
    streamIds[id] = streamId;
    browsers.push_back(std::move(b));
    return *browsers.back();
  }
  // One 20 ms period: every browser sends, then the meeting ticks.
  void Step() {
    for (auto& b : browsers) audio.OnRtp(b->id, b->NextPacket(), now);
    audio.TickAt(now);
    now += kFrameDurationUs;
  }
  void Run(int ticks) {
    for (int i = 0; i < ticks; ++i) Step();
  }
  Browser& Get(const std::string& id) {
    for (auto& b : browsers) {
      if (b->id == id) return *b;
    }
    ADD_FAILURE() << "no browser " << id;
    return *browsers.front();
  }

  boost::asio::io_context io;
  RecordingSink sink;
  MeetingAudio audio;
  std::vector<std::unique_ptr<Browser>> browsers;
  std::map<std::string, uint32_t> streamIds;
  int64_t now = MeetingAudio::NowUs();
};

struct Parsed {
  bool marker = false;
  uint8_t payloadType = 0;
  uint16_t seq = 0;
  uint32_t timestamp = 0;
  uint32_t ssrc = 0;
  std::optional<std::string> mid;
  std::vector<uint8_t> payload;
};

Parsed ParseRtp(std::vector<uint8_t> bytes, uint8_t midExtId) {
  Parsed p;
  auto packet = RtpPacket::Parse(bytes);
  EXPECT_TRUE(packet.has_value());
  if (!packet) return p;
  EXPECT_EQ(packet->Version(), 2);
  EXPECT_EQ(packet->CsrcCount(), 0);
  EXPECT_EQ(packet->PaddingSize(), 0u);
  p.marker = packet->Marker();
  p.payloadType = packet->PayloadType();
  p.seq = packet->SequenceNumber();
  p.timestamp = packet->Timestamp();
  p.ssrc = packet->Ssrc();
  if (midExtId != 0) {
    if (auto mid = packet->GetMid(midExtId)) p.mid = std::string(*mid);
  }
  EXPECT_EQ(packet->HasExtension(), midExtId != 0);
  p.payload.assign(packet->Payload().begin(), packet->Payload().end());
  return p;
}

// Checks one listener's stream and returns what its browser would play for the last packet.
test::Frame CheckStream(const std::vector<std::vector<uint8_t>>& packets,
                        const MeetingAudio::ListenerParams& params, std::size_t expectedCount) {
  test::Frame last{};
  EXPECT_EQ(packets.size(), expectedCount);
  OpusDecoderStage decoder;
  std::optional<Parsed> previous;
  for (std::size_t i = 0; i < packets.size(); ++i) {
    const Parsed p = ParseRtp(packets[i], params.midExtId);
    EXPECT_EQ(p.ssrc, params.ssrc);
    EXPECT_EQ(p.payloadType, params.payloadType);
    EXPECT_EQ(p.marker, i == 0) << i;
    if (params.midExtId != 0) {
      EXPECT_EQ(p.mid, params.mid);
    }
    if (previous) {
      EXPECT_EQ(p.seq, static_cast<uint16_t>(previous->seq + 1)) << i;
      EXPECT_EQ(p.timestamp, previous->timestamp + kRtpTimestampStep) << i;
    }
    EXPECT_TRUE(decoder.Decode(p.payload, last)) << i;
    previous = p;
  }
  EXPECT_EQ(decoder.Stats().errors, 0u);
  return last;
}

// What a browser plays for the last of `packets` after decoding them all.
test::Frame LastHeard(const std::vector<std::vector<uint8_t>>& packets, uint8_t midExtId) {
  OpusDecoderStage decoder;
  test::Frame pcm{};
  for (const auto& bytes : packets) decoder.Decode(ParseRtp(bytes, midExtId).payload, pcm);
  return pcm;
}

double NtpSeconds(uint64_t ntp) {
  return static_cast<double>(ntp >> 32) + static_cast<double>(ntp & 0xffffffffu) / 4294967296.0;
}

const MeetingAudio::ListenerParams kParamsA{
    .ssrc = 0x1111, .payloadType = 111, .audioLevelExtId = 1, .midExtId = 4, .mid = "0"};
const MeetingAudio::ListenerParams kParamsB{.ssrc = 0x2222, .payloadType = 109, .mid = ""};
const MeetingAudio::ListenerParams kParamsC{
    .ssrc = 0x3333, .payloadType = 111, .midExtId = 9, .mid = "audio"};

TEST(MeetingAudioTest, EveryListenerGetsWellFormedRtpOfTheOthers) {
  Meeting m;
  Browser& a = m.Join("a", 300, 0.3, kParamsA);
  a.levelExtId = 1;
  a.fixedLevel = 10;  // A's browser says -10 dBov
  m.Join("b", 700, 0.05, kParamsB);
  m.Join("c", 1500, 0.2, kParamsC);
  EXPECT_EQ(m.audio.AttendeeCount(), 3u);
  EXPECT_NE(m.streamIds["a"], m.streamIds["b"]);
  EXPECT_EQ(m.audio.StreamIdOf("b"), m.streamIds["b"]);
  ASSERT_NE(m.audio.AttendeeOf(m.streamIds["c"]), nullptr);
  EXPECT_EQ(*m.audio.AttendeeOf(m.streamIds["c"]), "c");
  m.Run(60);

  const test::Frame heardByA = CheckStream(m.sink.rtp["a"], kParamsA, 60);
  const test::Frame heardByB = CheckStream(m.sink.rtp["b"], kParamsB, 60);
  const test::Frame heardByC = CheckStream(m.sink.rtp["c"], kParamsC, 60);
  // Each hears the others and not itself.
  EXPECT_GT(test::ToneEnergy(heardByA, 700), kAudible / 10);
  EXPECT_GT(test::ToneEnergy(heardByA, 1500), kAudible);
  EXPECT_LT(test::ToneEnergy(heardByA, 300), test::ToneEnergy(heardByA, 1500) / 100);
  EXPECT_GT(test::ToneEnergy(heardByB, 300), kAudible);
  EXPECT_GT(test::ToneEnergy(heardByB, 1500), kAudible);
  EXPECT_LT(test::ToneEnergy(heardByB, 700), test::ToneEnergy(heardByB, 1500) / 100);
  EXPECT_GT(test::ToneEnergy(heardByC, 300), kAudible);
  EXPECT_GT(test::ToneEnergy(heardByC, 700), kAudible / 10);
  EXPECT_LT(test::ToneEnergy(heardByC, 1500), test::ToneEnergy(heardByC, 300) / 100);

  // The audio-level extension of A was read with A's id; B and C were measured.
  EXPECT_FLOAT_EQ(m.audio.Mixer().Status(m.streamIds["a"])->levelDbov, -10.0f);
  EXPECT_NEAR(m.audio.Mixer().Status(m.streamIds["b"])->levelDbov, -29.0f, 2.0f);  // 0.05 sine: -29 dBov

  // Levels five times a second, for everyone, the loud attendee louder.
  EXPECT_EQ(m.sink.levels.size(), 6u);
  const auto levelA = m.sink.LastLevel(m.streamIds["a"]);
  const auto levelB = m.sink.LastLevel(m.streamIds["b"]);
  const auto levelC = m.sink.LastLevel(m.streamIds["c"]);
  ASSERT_TRUE(levelA && levelB && levelC);
  EXPECT_EQ(levelA->volume, 10u);
  EXPECT_LT(levelC->volume, levelB->volume);
  EXPECT_LT(levelA->volume, levelC->volume);
  for (const auto& l : {*levelA, *levelB, *levelC}) {
    EXPECT_FALSE(l.muted);
    EXPECT_EQ(l.signalStrength, 2u);
  }
  EXPECT_EQ(m.audio.GetStats().rtpIn, 180u);
  EXPECT_EQ(m.audio.GetStats().rtpSent, 180u);
  EXPECT_EQ(m.audio.GetStats().ticks, 60u);
}

TEST(MeetingAudioTest, SenderReportsMatchTheRtpStream) {
  MeetingAudio::Options options;
  options.cname = "mixer-cname";
  options.mixer.senderReportIntervalTicks = 10;
  Meeting m(options);
  m.Join("a", 300, 0.3, kParamsA);
  m.Join("b", 700, 0.3, kParamsB);
  const int64_t before = std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  m.Run(45);
  EXPECT_EQ(m.audio.GetStats().rtcpSent, 10u);

  for (const auto& [attendee, params] : {std::pair{"a", kParamsA}, std::pair{"b", kParamsB}}) {
    const auto& reports = m.sink.rtcp[attendee];
    const auto& packets = m.sink.rtp[attendee];
    ASSERT_EQ(reports.size(), 5u) << attendee;  // after packets 1, 11, 21, 31, 41
    std::optional<webrtc::rtcp::SenderReport> previous;
    for (const auto& report : reports) {
      const webrtc::rtcp::RtcpCompound compound(report.bytes);
      ASSERT_TRUE(compound.Validate());
      ASSERT_EQ(compound.PacketCount(), 2u);
      std::optional<webrtc::rtcp::SenderReport> sr;
      std::optional<webrtc::rtcp::Sdes> sdes;
      compound.ForEach([&](const webrtc::rtcp::RtcpCompound::Packet& p) {
        if (p.header.packetType == static_cast<uint8_t>(webrtc::rtcp::PacketType::kSr))
          sr = webrtc::rtcp::SenderReport::Parse(p.data);
        if (p.header.packetType == static_cast<uint8_t>(webrtc::rtcp::PacketType::kSdes))
          sdes = webrtc::rtcp::Sdes::Parse(p.data);
      });
      ASSERT_TRUE(sr.has_value());
      ASSERT_TRUE(sdes.has_value());
      EXPECT_EQ(sr->senderSsrc, params.ssrc);
      EXPECT_EQ(sr->blockCount, 0u);
      ASSERT_EQ(sdes->chunkCount, 1u);
      EXPECT_EQ(sdes->chunks[0].ssrc, params.ssrc);
      EXPECT_EQ(sdes->chunks[0].Cname(), "mixer-cname");

      // Sent right after an RTP packet, whose timestamp and counts it carries.
      ASSERT_GE(report.afterPackets, 1u);
      ASSERT_LE(report.afterPackets, packets.size());
      EXPECT_EQ((report.afterPackets - 1) % 10, 0u);
      const Parsed last = ParseRtp(packets[report.afterPackets - 1], params.midExtId);
      EXPECT_EQ(sr->rtpTimestamp, last.timestamp);
      EXPECT_EQ(sr->packetCount, report.afterPackets);
      uint32_t octets = 0;
      for (std::size_t i = 0; i < report.afterPackets; ++i) {
        octets += static_cast<uint32_t>(ParseRtp(packets[i], params.midExtId).payload.size());
      }
      EXPECT_EQ(sr->octetCount, octets);

      // NTP: the wall clock of the tick; it advances as the RTP clock does (48 kHz).
      const double ntpSeconds = NtpSeconds(sr->ntpTimestamp);
      const double unixSeconds = ntpSeconds - 2208988800.0;
      EXPECT_NEAR(unixSeconds, static_cast<double>(before) / 1e6, 5.0);
      // From the second report on, both talkers play: the content delay is steady (the first report
      // came before anything played and used the jitter buffer's target).
      if (previous && report.afterPackets > 11) {
        const double ntpDelta = ntpSeconds - NtpSeconds(previous->ntpTimestamp);
        const auto rtpDelta = static_cast<double>(sr->rtpTimestamp - previous->rtpTimestamp);
        EXPECT_DOUBLE_EQ(rtpDelta, 10 * 960.0);
        EXPECT_NEAR(ntpDelta * 48000.0, rtpDelta, 48.0);  // within 1 ms (the two clocks are read apart)
      }
      previous = sr;
    }
  }
}

TEST(MeetingAudioTest, MutedAttendeeIsSilentAndReportedMuted) {
  Meeting m;
  m.Join("a", 300, 0.3, kParamsA);
  m.Join("b", 700, 0.3, kParamsB);
  m.Run(40);
  EXPECT_GT(test::ToneEnergy(LastHeard(m.sink.rtp["a"], kParamsA.midExtId), 700), kAudible);
  ASSERT_FALSE(m.sink.LastLevel(m.streamIds["b"])->muted);
  EXPECT_LT(m.sink.LastLevel(m.streamIds["b"])->volume, 20u);

  ASSERT_TRUE(m.audio.SetMuted("b", true));
  EXPECT_FALSE(m.audio.SetMuted("nobody", true));
  const std::size_t before = m.sink.rtp["a"].size();
  m.Run(40);
  ASSERT_EQ(m.sink.rtp["a"].size(), before + 40);
  EXPECT_LT(test::Rms(LastHeard(m.sink.rtp["a"], kParamsA.midExtId)),
            2.0);  // B's voice is gone from A's stream
  const auto levelB = m.sink.LastLevel(m.streamIds["b"]);
  ASSERT_TRUE(levelB.has_value());
  EXPECT_TRUE(levelB->muted);
  EXPECT_EQ(levelB->volume, LevelReporter::kSilentVolume);
  // B still hears A.
  EXPECT_GT(test::ToneEnergy(LastHeard(m.sink.rtp["b"], 0), 300), kAudible);

  ASSERT_TRUE(m.audio.SetMuted("b", false));
  m.Run(20);
  EXPECT_FALSE(m.sink.LastLevel(m.streamIds["b"])->muted);
}

TEST(MeetingAudioTest, RenegotiatedSsrcStartsANewStream) {
  MeetingAudio::Options options;
  options.mixer.senderReportIntervalTicks = 1000;
  Meeting m(options);
  m.Join("a", 300, 0.3, kParamsA);
  m.Join("b", 700, 0.3, kParamsB);
  m.Run(20);
  MeetingAudio::ListenerParams renegotiated = kParamsB;
  renegotiated.ssrc = 0x4444;
  renegotiated.payloadType = 96;
  renegotiated.midExtId = 3;
  renegotiated.mid = "1";
  ASSERT_TRUE(m.audio.UpdateParams("b", renegotiated));
  EXPECT_FALSE(m.audio.UpdateParams("nobody", renegotiated));
  EXPECT_EQ(m.audio.AddAttendee("b", renegotiated), m.streamIds["b"]);  // same attendee, same id
  m.Run(10);

  const auto& packets = m.sink.rtp["b"];
  ASSERT_EQ(packets.size(), 30u);
  const Parsed before = ParseRtp(packets[19], 0);
  const Parsed first = ParseRtp(packets[20], 3);
  EXPECT_EQ(before.ssrc, kParamsB.ssrc);
  EXPECT_EQ(first.ssrc, 0x4444u);
  EXPECT_EQ(first.payloadType, 96);
  EXPECT_EQ(first.mid, "1");
  EXPECT_TRUE(first.marker);
  EXPECT_EQ(first.seq, static_cast<uint16_t>(before.seq + 1));
  EXPECT_EQ(first.timestamp, before.timestamp + kRtpTimestampStep);
  EXPECT_FALSE(ParseRtp(packets[21], 3).marker);
  // One SR per stream start; the new one counts from the new stream's first packet.
  const auto& reports = m.sink.rtcp["b"];
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports[1].afterPackets, 21u);
  webrtc::rtcp::RtcpCompound compound(reports[1].bytes);
  std::optional<webrtc::rtcp::SenderReport> sr;
  compound.ForEach([&](const webrtc::rtcp::RtcpCompound::Packet& p) {
    if (p.header.packetType == static_cast<uint8_t>(webrtc::rtcp::PacketType::kSr))
      sr = webrtc::rtcp::SenderReport::Parse(p.data);
  });
  ASSERT_TRUE(sr.has_value());
  EXPECT_EQ(sr->senderSsrc, 0x4444u);
  EXPECT_EQ(sr->packetCount, 1u);
  EXPECT_EQ(sr->octetCount, first.payload.size());
  EXPECT_EQ(sr->rtpTimestamp, first.timestamp);
}

TEST(MeetingAudioTest, SenderSsrcChangeRestartsItsJitterBuffer) {
  Meeting m;
  m.Join("a", 300, 0.3, kParamsA);
  Browser& b = m.Join("b", 700, 0.3, kParamsB);
  m.Run(20);
  b.ssrc = 0xBEEF;  // the browser restarted its sender: new SSRC, sequence numbers from elsewhere
  b.seq = 17;
  m.Run(30);
  EXPECT_EQ(m.audio.GetStats().ssrcChanges, 1u);
  EXPECT_EQ(m.audio.GetStats().rtpDropped, 0u);
  const test::Frame heardByA = LastHeard(m.sink.rtp["a"], kParamsA.midExtId);
  EXPECT_GT(test::ToneEnergy(heardByA, 700), kAudible);
}

TEST(MeetingAudioTest, RemovedAttendeeGetsNothingAndIsNotHeard) {
  Meeting m;
  m.Join("a", 300, 0.3, kParamsA);
  m.Join("b", 700, 0.3, kParamsB);
  m.Join("c", 1500, 0.3, kParamsC);
  m.Run(20);
  const uint32_t idC = m.streamIds["c"];
  ASSERT_TRUE(m.audio.RemoveAttendee("c"));
  EXPECT_FALSE(m.audio.RemoveAttendee("c"));
  EXPECT_FALSE(m.audio.StreamIdOf("c").has_value());
  EXPECT_EQ(m.audio.AttendeeOf(idC), nullptr);
  Browser& c = m.Get("c");
  EXPECT_FALSE(m.audio.OnRtp("c", c.NextPacket(), m.now));  // its packets are dropped now
  m.Run(30);
  EXPECT_EQ(m.sink.rtp["c"].size(), 20u);
  EXPECT_EQ(m.sink.rtp["a"].size(), 50u);
  const test::Frame heardByA = LastHeard(m.sink.rtp["a"], kParamsA.midExtId);
  EXPECT_GT(test::ToneEnergy(heardByA, 700), kAudible);
  EXPECT_LT(test::ToneEnergy(heardByA, 1500), test::ToneEnergy(heardByA, 700) / 100);
  EXPECT_FALSE(m.sink.LastLevel(idC).has_value());
  // A new attendee gets a new stream id.
  const uint32_t idD = m.audio.AddAttendee("d", {.ssrc = 0x5555, .mid = ""});
  EXPECT_NE(idD, 0u);
  EXPECT_NE(idD, idC);
  EXPECT_EQ(m.audio.AddAttendee("e", {.ssrc = 0, .mid = ""}), 0u);  // no SSRC to send on
}

TEST(MeetingAudioTest, SinkMayAddAndRemoveAttendeesDuringATick) {
  MeetingAudio::Options options;
  options.mixer.senderReportIntervalTicks = 10;  // SRs after packets 1 and 11
  Meeting m(options);
  m.Join("a", 300, 0.3, kParamsA);
  m.Join("b", 700, 0.3, kParamsB);
  m.Join("c", 1500, 0.3, kParamsC);
  m.Run(10);
  uint32_t idD = 0;
  m.sink.onRtp = [&](const std::string& attendee) {
    if (attendee == "b") {
      EXPECT_TRUE(m.audio.RemoveAttendee("b"));
      idD = m.audio.AddAttendee("d", {.ssrc = 0x5555, .payloadType = 111, .mid = ""});
    }
  };
  m.Step();
  m.sink.onRtp = nullptr;
  EXPECT_EQ(m.sink.rtp["b"].size(), 11u);
  EXPECT_EQ(m.sink.rtcp["b"].size(), 1u);  // no SR after the packet of the removal
  EXPECT_EQ(m.sink.rtcp["a"].size(), 2u);
  ASSERT_NE(idD, 0u);
  m.Run(5);
  EXPECT_EQ(m.sink.rtp["b"].size(), 11u);
  EXPECT_EQ(m.sink.rtp["d"].size(), 5u);
  EXPECT_EQ(m.sink.rtp["a"].size(), 16u);
  EXPECT_EQ(m.audio.Mixer().ParticipantCount(), 3u);
}

TEST(MeetingAudioTest, ForwardsTheSingleTalkerWhenAsked) {
  MeetingAudio::Options options;
  options.forwardSingleTalker = true;
  Meeting m(options);
  Browser& a = m.Join("a", 300, 0.3, kParamsA);
  m.Join("b", 700, 0.0, kParamsB);
  m.Join("c", 1500, 0.0, kParamsC);
  m.Run(30);
  // B gets a packet A sent (the jitter buffer delays it by a few ticks), unchanged.
  const Parsed lastB = ParseRtp(m.sink.rtp["b"].back(), 0);
  bool found = false;
  for (std::size_t i = a.sent.size() - 6; i < a.sent.size(); ++i) found = found || a.sent[i] == lastB.payload;
  EXPECT_TRUE(found) << "B's packet is not one A sent lately";
  EXPECT_EQ(ParseRtp(m.sink.rtp["c"].back(), kParamsC.midExtId).payload, lastB.payload);
}

TEST(MeetingAudioTest, MixesOnlyTheConfiguredNumberOfTalkers) {
  MeetingAudio::Options options;
  options.talkers = 1;
  Meeting m(options);
  m.Join("a", 300, 0.3, kParamsA);
  m.Join("b", 700, 0.1, kParamsB);
  m.Join("c", 1500, 0.05, kParamsC);
  m.Join("d", 0, 0.0, {.ssrc = 0x4444, .mid = ""});
  m.Run(40);
  const test::Frame heardByD = LastHeard(m.sink.rtp["d"], 0);
  EXPECT_GT(test::ToneEnergy(heardByD, 300), kAudible);  // the loudest talker only
  EXPECT_LT(test::ToneEnergy(heardByD, 700), test::ToneEnergy(heardByD, 300) / 100);
  EXPECT_LT(test::ToneEnergy(heardByD, 1500), test::ToneEnergy(heardByD, 300) / 100);
  EXPECT_TRUE(m.audio.Mixer().Status(m.streamIds["a"])->talking);
  EXPECT_FALSE(m.audio.Mixer().Status(m.streamIds["b"])->talking);
}

// Only outputs (no copies): what a router does, for the allocation test.
class CountingSink : public MeetingAudio::Sink {
 public:
  void SendAudioRtp(const std::string&, std::span<uint8_t>, std::size_t length) override {
    rtpBytes += length;
  }
  void SendAudioRtcp(const std::string&, std::span<uint8_t>, std::size_t) override { ++rtcp; }
  void OnAudioLevels(std::span<const AttendeeLevel> levels) override { reports += levels.empty() ? 0 : 1; }
  uint64_t rtpBytes = 0, rtcp = 0, reports = 0;
};

TEST(MeetingAudioTest, SteadyStateTickDoesNotAllocate) {
  boost::asio::io_context io;
  CountingSink sink;
  MeetingAudio::Options options;
  options.mixer.senderReportIntervalTicks = 7;  // SRs inside the measured ticks
  MeetingAudio audio(io, options, sink);
  std::vector<std::unique_ptr<Browser>> browsers;
  const std::vector<std::pair<std::string, double>> who = {{"a", 300}, {"b", 700}, {"c", 1500}, {"d", 0}};
  for (const auto& [id, hz] : who) {
    auto b = std::make_unique<Browser>();
    b->id = id;
    b->hz = hz;
    b->amplitude = hz > 0 ? 0.2 : 0.0;
    b->ssrc = 0x100 + static_cast<uint32_t>(browsers.size());
    b->levelExtId = 1;
    b->keepHistory = false;
    ASSERT_NE(
        audio.AddAttendee(id, {.ssrc = b->ssrc + 0x1000, .audioLevelExtId = 1, .midExtId = 2, .mid = "0"}),
        0u);
    browsers.push_back(std::move(b));
  }
  int64_t now = 5'000'000;
  auto step = [&] {
    for (auto& b : browsers) audio.OnRtp(b->id, b->NextPacket(), now);
    audio.TickAt(now);
    now += kFrameDurationUs;
  };
  for (int i = 0; i < 40; ++i) step();
  const uint64_t rtcpBefore = sink.rtcp, reportsBefore = sink.reports;
  uint64_t allocations = 0;
  for (int i = 0; i < 50; ++i) {
    for (auto& b : browsers) {  // the sender's packet is made outside the measurement
      RtpPacket packet = b->NextPacket();
      gAllocations = 0;
      gCountAllocations = true;
      audio.OnRtp(b->id, packet, now);
      gCountAllocations = false;
      allocations += gAllocations;
    }
    gAllocations = 0;
    gCountAllocations = true;
    audio.TickAt(now);
    gCountAllocations = false;
    allocations += gAllocations;
    now += kFrameDurationUs;
  }
  EXPECT_EQ(allocations, 0u);
  EXPECT_GT(sink.rtcp, rtcpBefore);
  EXPECT_GT(sink.reports, reportsBefore);
  EXPECT_GT(sink.rtpBytes, 0u);
}

TEST(MeetingAudioTest, TimerTicksEveryTwentyMillisecondsOnTheWorker) {
  boost::asio::io_context io;
  RecordingSink sink;
  MeetingAudio::Options options;
  options.maxCatchUpTicks = 3;  // the stall below (200 ms) drops ticks
  MeetingAudio audio(io, options, sink);
  audio.AddAttendee("a", kParamsA);
  audio.AddAttendee("b", kParamsB);
  EXPECT_FALSE(audio.Running());
  audio.Start();
  audio.Start();  // idempotent
  EXPECT_TRUE(audio.Running());
  io.run_for(std::chrono::milliseconds(300));
  const auto& packets = sink.rtp["a"];
  // 15 ticks in 300 ms; a loaded machine runs some late (back to back) or drops them, but the count of
  // ticks run or dropped follows the clock.
  const MeetingAudio::Stats stats = audio.GetStats();
  ASSERT_GE(packets.size(), 3u);
  EXPECT_GE(packets.size() + stats.ticksDropped, 12u);
  EXPECT_LE(packets.size() + stats.ticksDropped, 16u);
  EXPECT_EQ(stats.ticks, packets.size());
  const Parsed first = ParseRtp(packets.front(), kParamsA.midExtId);
  const Parsed last = ParseRtp(packets.back(), kParamsA.midExtId);
  EXPECT_EQ(static_cast<uint16_t>(last.seq - first.seq), packets.size() - 1);
  const uint32_t elapsedTicks = (last.timestamp - first.timestamp) / kRtpTimestampStep;
  EXPECT_EQ((last.timestamp - first.timestamp) % kRtpTimestampStep, 0u);
  EXPECT_GE(elapsedTicks, packets.size() - 1);
  EXPECT_LE(elapsedTicks, packets.size() - 1 + stats.ticksDropped);
  EXPECT_GE(sink.rtcp["a"].size(), 1u);
  EXPECT_EQ(sink.rtp["b"].size(), packets.size());

  audio.Stop();
  EXPECT_FALSE(audio.Running());
  const std::size_t stopped = packets.size();
  io.restart();
  io.run_for(std::chrono::milliseconds(100));  // returns at once: no work left
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(packets.size(), stopped);

  // Start resumes the same streams.
  audio.Start();
  io.restart();
  io.run_for(std::chrono::milliseconds(100));
  ASSERT_GT(packets.size(), stopped);
  const Parsed resumed = ParseRtp(packets[stopped], kParamsA.midExtId);
  EXPECT_EQ(resumed.seq, static_cast<uint16_t>(last.seq + 1));
  EXPECT_GE(resumed.timestamp - last.timestamp, 6 * kRtpTimestampStep);  // the 100 ms pause, and more

  // A stalled worker: the ticks it missed beyond maxCatchUpTicks are dropped, and the timestamps jump
  // over them instead of the stream falling behind.
  const std::size_t beforeStall = packets.size();
  boost::asio::post(io, [] { std::this_thread::sleep_for(std::chrono::milliseconds(200)); });
  io.restart();
  io.run_for(std::chrono::milliseconds(300));
  EXPECT_GE(audio.GetStats().ticksDropped, 3u);
  uint32_t largestStep = 0;
  for (std::size_t i = beforeStall; i < packets.size(); ++i) {
    const Parsed p = ParseRtp(packets[i], kParamsA.midExtId);
    const Parsed q = ParseRtp(packets[i - 1], kParamsA.midExtId);
    EXPECT_EQ(p.seq, static_cast<uint16_t>(q.seq + 1));
    largestStep = std::max(largestStep, p.timestamp - q.timestamp);
  }
  EXPECT_GE(largestStep, 4 * kRtpTimestampStep);

  // With the default catch-up (200 ms), a 120 ms stall costs no packet: the missed ticks run back to
  // back and the listener's stream stays at 50 packets a second.
  MeetingAudio tolerant(io, {}, sink);
  tolerant.AddAttendee("t", {.ssrc = 0x7777, .mid = ""});
  tolerant.Start();
  io.restart();
  io.run_for(std::chrono::milliseconds(100));
  boost::asio::post(io, [] { std::this_thread::sleep_for(std::chrono::milliseconds(120)); });
  io.restart();
  io.run_for(std::chrono::milliseconds(200));
  tolerant.Stop();
  EXPECT_EQ(tolerant.GetStats().ticksDropped, 0u);
  const auto& stalled = sink.rtp["t"];
  ASSERT_GE(stalled.size(), 10u);
  for (std::size_t i = 1; i < stalled.size(); ++i) {
    EXPECT_EQ(ParseRtp(stalled[i], 0).timestamp - ParseRtp(stalled[i - 1], 0).timestamp, kRtpTimestampStep)
        << i;
  }

  // A pending tick of a destroyed MeetingAudio does nothing.
  auto doomed = std::make_unique<MeetingAudio>(io, MeetingAudio::Options{}, sink);
  doomed->AddAttendee("z", {.ssrc = 0x9999, .mid = ""});
  doomed->Start();
  doomed.reset();
  io.restart();
  io.run_for(std::chrono::milliseconds(60));
  EXPECT_EQ(sink.rtp.count("z"), 0u);
}

// Host mute (clinic): the attendee stays out of the mix whatever its own client says, also after it
// leaves and rejoins the mix (a reconnect), until the host allows it again.
TEST(MeetingAudioTest, HostMutedAttendeeStaysOutOfTheMixWhateverItsClientSays) {
  Meeting m;
  m.Join("a", 300, 0.3, kParamsA);
  m.Join("b", 700, 0.3, kParamsB);
  m.Run(40);
  const double before = test::ToneEnergy(LastHeard(m.sink.rtp["a"], kParamsA.midExtId), 700);
  EXPECT_GT(before, kAudible);

  m.audio.SetHostMuted("b", true);
  EXPECT_TRUE(m.audio.IsHostMuted("b"));
  ASSERT_TRUE(m.audio.SetMuted("b", false));  // a modified client "unmutes" itself
  m.Run(40);
  const double muted = test::ToneEnergy(LastHeard(m.sink.rtp["a"], kParamsA.midExtId), 700);
  EXPECT_LT(muted * 20, before);
  EXPECT_TRUE(m.sink.LastLevel(m.streamIds["b"])->muted);

  // Reconnect: out of the mix and back in; still host-muted.
  ASSERT_TRUE(m.audio.RemoveAttendee("b"));
  m.streamIds["b"] = m.audio.AddAttendee("b", kParamsB);
  m.Run(40);
  EXPECT_LT(test::ToneEnergy(LastHeard(m.sink.rtp["a"], kParamsA.midExtId), 700) * 20, before);

  m.audio.SetHostMuted("b", false);
  EXPECT_FALSE(m.audio.IsHostMuted("b"));
  m.Run(40);
  EXPECT_GT(test::ToneEnergy(LastHeard(m.sink.rtp["a"], kParamsA.midExtId), 700), kAudible);
}

// Issue 11, lip sync: the mix's sender report maps its RTP timestamp to when the mixed sound reached
// us (the tick's wall-clock time minus the jitter-buffer delay of the talkers heard), the clock that
// forwarded video's reports use too.
TEST(MeetingAudioTest, SenderReportTimeIsWhenTheMixedContentArrived) {
  MeetingAudio::Options options;
  options.mixer.senderReportIntervalTicks = 10;
  Meeting m(options);
  m.Join("a", 300, 0.3, kParamsA);
  m.Join("b", 700, 0.3, kParamsB);
  // The code's own mapping of the monotonic tick time to the wall clock.
  const int64_t wallMinusMono = WallNowUs() - MeetingAudio::NowUs();
  const int64_t firstTickUs = m.now;
  m.Run(45);
  const int64_t delayOfA = *m.audio.Mixer().PlayoutDelayUs(m.streamIds["a"]);
  const int64_t delayOfB = *m.audio.Mixer().PlayoutDelayUs(m.streamIds["b"]);
  // Browsers' packets reach the mixer at the tick they are sent for; the jitter buffer holds them
  // until it has its 60 ms target of frames: three frames, 40 ms after the first arrived.
  EXPECT_EQ(delayOfA, 40'000);
  EXPECT_EQ(delayOfB, 40'000);
  for (const auto& [attendee, heardDelay] : {std::pair{"a", delayOfB}, std::pair{"b", delayOfA}}) {
    const auto& reports = m.sink.rtcp[attendee];
    ASSERT_EQ(reports.size(), 5u);
    for (const auto& report : reports) {
      std::optional<webrtc::rtcp::SenderReport> sr;
      webrtc::rtcp::RtcpCompound(report.bytes).ForEach([&](const webrtc::rtcp::RtcpCompound::Packet& p) {
        if (p.header.packetType == static_cast<uint8_t>(webrtc::rtcp::PacketType::kSr))
          sr = webrtc::rtcp::SenderReport::Parse(p.data);
      });
      ASSERT_TRUE(sr.has_value());
      const int64_t tickUs = firstTickUs + static_cast<int64_t>(report.afterPackets - 1) * kFrameDurationUs;
      // Before anything played, the jitter buffer's target delay stands in.
      const int64_t delay = report.afterPackets == 1 ? 60'000 : heardDelay;
      const double expectedUnix = static_cast<double>(wallMinusMono + tickUs - delay) / 1e6;
      EXPECT_NEAR(NtpSeconds(sr->ntpTimestamp) - 2208988800.0, expectedUnix, 0.001)
          << attendee << " after packet " << report.afterPackets;
    }
  }
}

// Issue 11: every listener gets 50 packets a second, talking or not, alone or not (the SDK judges its
// network by this stream).
TEST(MeetingAudioTest, EveryListenerGetsFiftyPacketsASecondAlsoInSilence) {
  Meeting m;
  m.Join("a", 300, 0.3, kParamsA);
  m.Join("b", 700, 0.0, kParamsB);  // sends digital silence
  m.Run(100);                       // two seconds with a talker
  for (int i = 0; i < 150; ++i) {   // three seconds in which nobody sends anything
    m.audio.TickAt(m.now);
    m.now += kFrameDurationUs;
  }
  CheckStream(m.sink.rtp["a"], kParamsA, 250);
  CheckStream(m.sink.rtp["b"], kParamsB, 250);
  // Alone in the meeting: still a continuous stream of silence.
  Meeting alone;
  alone.Join("c", 0, 0.0, kParamsC);
  for (int i = 0; i < 50; ++i) {
    alone.audio.TickAt(alone.now);
    alone.now += kFrameDurationUs;
  }
  const test::Frame heard = CheckStream(alone.sink.rtp["c"], kParamsC, 50);
  EXPECT_LT(test::Rms(heard), 1.0);
  EXPECT_EQ(alone.audio.GetStats().rtpSent, 50u);
}

// Issue 11: the listener's receiver reports reach its mix's encoder.
TEST(MeetingAudioTest, ReceiverReportsSetTheFecOfTheMixTheListenerHears) {
  Meeting m;
  m.Join("a", 300, 0.3, kParamsA);
  m.Join("b", 700, 0.0, kParamsB);
  m.Join("c", 700, 0.0, kParamsC);
  m.Run(10);
  EXPECT_TRUE(m.audio.OnReceiverReport("b", 0.06, m.now));
  EXPECT_FALSE(m.audio.OnReceiverReport("b", 0.06, m.now));  // the same report again
  EXPECT_FALSE(m.audio.OnReceiverReport("nobody", 0.06, m.now));
  m.Run(5);
  EXPECT_EQ(m.audio.Mixer().MixProtection(0)->lossPercent, 6);
  EXPECT_TRUE(m.audio.Mixer().MixProtection(0)->fec);
  std::size_t withLbrr = 0;
  const auto& packets = m.sink.rtp["c"];  // c shares b's mix
  for (std::size_t i = packets.size() - 3; i < packets.size(); ++i)
    withLbrr += OpusPacket::HasLbrr(ParseRtp(packets[i], kParamsC.midExtId).payload);
  EXPECT_EQ(withLbrr, 3u);
  for (std::size_t i = 2; i < 10; ++i)
    EXPECT_FALSE(OpusPacket::HasLbrr(ParseRtp(packets[i], kParamsC.midExtId).payload));
}

}  // namespace
}  // namespace medicall::media::audio
