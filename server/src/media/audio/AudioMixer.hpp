#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "media/audio/AudioConstants.hpp"
#include "media/audio/JitterBuffer.hpp"
#include "media/audio/LevelReporter.hpp"
#include "media/audio/LossProtection.hpp"
#include "media/audio/OpusEncoderStage.hpp"
#include "media/audio/PcmMixer.hpp"
#include "media/audio/TalkerSelector.hpp"

namespace medicall::media::audio {

struct AudioMixerConfig {
  std::size_t maxTalkers = 3;          // K: only the K loudest talkers are mixed
  float talkerThresholdDbov = -50.0f;  // a frame louder than this makes its sender a talker
  uint32_t talkerHangoverTicks = 15;   // a talker stays one for 300 ms of pauses between words
  bool forwardSingleTalker = false;    // one talker: relay its Opus packets to the others (see AudioMixer)
  bool skipDecodeWhenQuiet = true;  // with the RTP audio-level extension, quiet non-talkers are not decoded
  bool cachedSilence = true;        // a mix known to be silent (no talker, or a talker alone) is sent as a
                                    // pre-encoded Opus silence packet instead of being encoded
  // An RTCP sender report per listener every 5 s (and after its first packet).
  uint32_t senderReportIntervalTicks = 250;
  // The Opus encoder of each mix follows its listeners' receiver reports (OnReceiverReport): in-band
  // FEC, expected loss and a raised bitrate while one of them loses packets (LossProtection). A mix
  // is protected for its most demanding listener: the shared mix for the worst of the non-talkers who
  // hear it, a talker's "all but me" mix for that talker. Off: `encoder` applies unchanged.
  bool adaptProtection = true;
  LossProtectionConfig protection;
  JitterBufferConfig jitter;
  OpusEncoderConfig encoder;
  LevelReporterConfig levels;
};

// Where a listener's outgoing stream starts (random values chosen by the transport, RFC 3550 5.1).
struct RtpStart {
  uint16_t sequence = 0;
  uint32_t timestamp = 0;
};

// One RTP packet to send to one listener this tick.
struct ListenerOutput {
  uint32_t id = 0;  // the listener
  std::span<const uint8_t>
      payload;  // Opus payload; listeners of the same mix share one buffer; valid until the next Tick
  uint16_t sequence = 0;   // continuous per listener
  uint32_t timestamp = 0;  // +960 per tick (+960 per skipped tick too)
  int mix = 0;  // 0 = shared mix of all talkers; s+1 = mix without the talker of slot s; -1 = forwarded
  bool marker = false;            // first packet of the stream (RFC 3551 section 4.1: start of a talkspurt)
  bool sendSenderReport = false;  // send an RTCP SR after this packet
  uint32_t packetCount = 0;       // SR sender info (RFC 3550 6.4.1), this packet included
  uint32_t octetCount = 0;
  // How long before this tick the mixed content arrived: the jitter-buffer delay of the talkers in
  // this listener's mix (their mean), kept from the last tick with a talker when the mix is silent.
  // A sender report maps `timestamp` to the tick's time minus this, the time the sound reached us,
  // as forwarded video maps its timestamps to their arrival: both on one clock for lip sync.
  int64_t contentDelayUs = 0;
};

struct MixerTickStats {
  uint32_t talkers = 0;
  uint32_t decodes = 0;    // normal + FEC + PLC decodes this tick
  uint32_t encodes = 0;    // distinct mixes encoded this tick (<= maxTalkers + 1 whatever the listener count)
  uint32_t silent = 0;     // distinct mixes sent as the cached silence packet (not encoded)
  uint32_t forwarded = 0;  // listeners served by forwarding
};

struct TickResult {
  int64_t nowUs = 0;                        // the tick's time: pairs `timestamp` with wall clock for SRs
  std::span<const ListenerOutput> outputs;  // valid until the next Tick
  std::span<const AttendeeLevel> levels;    // AUDIO_METADATA entries, non-empty about five times a second
  MixerTickStats stats;
};

// What the mixer knows about one attendee after the last tick.
struct ParticipantStatus {
  float levelDbov = kSilenceDbov;
  JitterFrame::Kind lastFrame = JitterFrame::Kind::kSilent;
  bool muted = false;
  bool talking = false;  // selected among the K mixed talkers
};

// The audio mixer of one meeting. Every attendee is both a source (its Opus RTP payloads go through a
// jitter buffer and a decoder) and a listener (it gets one Opus stream: everyone but itself).
// Owned by the meeting's Router on its worker thread and ticked every 20 ms (MixerClock); no locks,
// and no heap allocation per tick once the participant set is stable.
//
// Cost per tick: one decode per sending attendee (only per talker when the RTP audio-level extension
// gives the level), one mix pass per talker, and at most K+1 encodes: the shared mix for every
// listener who is not talking and one "all but me" mix per talker. Listeners only cost an output row.
//
// forwardSingleTalker: with exactly one talker T whose packet arrived for this tick, the listeners
// other than T get T's Opus payload as received, instead of a decode+encode. Caveats: the payload is
// re-stamped with the listener's own sequence number and timestamp (one packet per tick, so WebRTC's
// 20 ms packets map 1:1); a tick where T's packet is missing falls back to the encoded shared mix, so
// the listener's decoder switches between two encoders (T's and ours) and may click at the switch;
// T's own bitrate, bandwidth, stereo flag and FEC setting reach the listeners unchanged; quiet
// attendees below the talker threshold are not heard (as in the mix).
class AudioMixer {
 public:
  explicit AudioMixer(const AudioMixerConfig& config = {});
  ~AudioMixer();
  AudioMixer(const AudioMixer&) = delete;
  AudioMixer& operator=(const AudioMixer&) = delete;

  // `id` is the attendee's audio stream id. Returns false if it is already present.
  bool AddParticipant(uint32_t id, RtpStart start = {});
  bool RemoveParticipant(uint32_t id);
  // A muted attendee contributes nothing and is reported muted; it still hears the others.
  bool SetMuted(uint32_t id, bool muted);
  // The attendee's sending stream restarted (new SSRC): its jitter buffer and decoder start over.
  bool ResetSource(uint32_t id);

  // A receiver report of listener `id` about the mix it gets (fraction lost 0..1, RFC 3550 section
  // 6.4.1) that arrived at atUs. The same report seen again (LossProtection::kSameReportUs) is ignored.
  bool OnReceiverReport(uint32_t id, double fractionLost, int64_t atUs);

  // One received Opus RTP packet of `id` (after SRTP). `audioLevel` is the 7-bit RFC 6464 value.
  bool OnRtp(uint32_t id, uint16_t sequence, uint32_t rtpTimestamp, int64_t arrivalUs,
             std::span<const uint8_t> payload, std::optional<uint8_t> audioLevel = std::nullopt);

  TickResult Tick(int64_t nowUs);
  // Ticks the clock dropped after a stall: output timestamps jump by the lost time.
  void SkipTicks(uint32_t count);

  std::size_t ParticipantCount() const { return participants_.size(); }
  std::optional<ParticipantStatus> Status(uint32_t id) const;
  const JitterBuffer* Jitter(uint32_t id) const;
  const LossProtection* Protection(uint32_t id) const;
  // The encoder settings of a mix (0 = shared, s+1 = the mix without the talker of slot s), as the
  // last tick used them; nullopt for a slot that does not exist.
  std::optional<EncoderProtection> MixProtection(int mix) const;
  // The smoothed jitter-buffer delay of source `id` (arrival to playout); nullopt before it played.
  std::optional<int64_t> PlayoutDelayUs(uint32_t id) const;
  // The PCM the listener's packet of the last tick was encoded from (or forwarded for). For tests.
  std::optional<ConstPcmFrame> LastMixFor(uint32_t id) const;

 private:
  struct Participant;

  Participant* Find(uint32_t id);
  const Participant* Find(uint32_t id) const;
  void EnsureDecoded(Participant& p);
  void ApplyProtection(std::span<const uint32_t> slots);

  AudioMixerConfig config_;
  std::vector<std::unique_ptr<Participant>> participants_;
  std::unordered_map<uint32_t, std::size_t> index_;
  TalkerSelector selector_;
  PcmMixer pcmMixer_;
  LevelReporter levels_;
  OpusEncoderStage sharedEncoder_;
  std::vector<OpusEncoderStage> slotEncoders_;
  std::vector<int> slotPosition_;                      // slot -> position in the PcmMixer call, or -1
  std::vector<std::span<const uint8_t>> slotPayload_;  // slot -> encoded mix of this tick
  std::vector<TalkerCandidate> candidates_;
  std::vector<ConstPcmFrame> talkerFrames_;
  std::vector<ListenerOutput> outputs_;
  std::vector<uint8_t> silencePacket_;  // Opus frame of digital silence, from the configured encoder
  std::array<uint8_t, kMaxOpusPayload> forwardBuffer_{};
  std::size_t forwardSize_ = 0;
  int forwardedFrom_ = -1;  // participant index whose packet was forwarded at the last tick
};

}  // namespace medicall::media::audio
