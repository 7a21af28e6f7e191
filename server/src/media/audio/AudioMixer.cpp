#include "media/audio/AudioMixer.hpp"

#include <algorithm>
#include <cstring>

#include "media/audio/AudioLevel.hpp"
#include "media/audio/OpusDecoderStage.hpp"

namespace medicall::media::audio {

struct AudioMixer::Participant {
  Participant(uint32_t id, RtpStart start, const JitterBufferConfig& jitterConfig,
              const LossProtectionConfig& protectionConfig)
      : id(id),
        jitter(jitterConfig),
        sequence(start.sequence),
        timestamp(start.timestamp),
        protection(protectionConfig),
        contentDelayUs(jitterConfig.targetDelayUs) {}

  uint32_t id;
  bool muted = false;
  // Source side.
  JitterBuffer jitter;
  OpusDecoderStage decoder;
  JitterFrame frame;
  bool decoded = false;  // pcm holds this tick's frame
  std::array<int16_t, kFrameSamples> pcm{};
  float levelDbov = kSilenceDbov;
  uint32_t hangover = 0;
  bool talking = false;
  int64_t playoutDelayUs = -1;  // smoothed arrival-to-playout delay of its packets; -1: none played yet
  // Listener side.
  uint16_t sequence;
  uint32_t timestamp;
  uint32_t packetCount = 0;
  uint32_t octetCount = 0;
  uint32_t ticksToReport = 0;
  int lastMix = 0;
  bool started = false;
  LossProtection protection;  // from its receiver reports about the mix it hears
  int64_t contentDelayUs;     // ListenerOutput::contentDelayUs of its last packet
};

AudioMixer::AudioMixer(const AudioMixerConfig& config)
    : config_(config),
      selector_(std::max<std::size_t>(config.maxTalkers, 1)),
      pcmMixer_(std::max<std::size_t>(config.maxTalkers, 1)),
      levels_(config.levels),
      sharedEncoder_(config.encoder) {
  config_.maxTalkers = std::max<std::size_t>(config_.maxTalkers, 1);
  if (config_.senderReportIntervalTicks == 0) config_.senderReportIntervalTicks = 1;
  slotEncoders_.reserve(config_.maxTalkers);
  for (std::size_t s = 0; s < config_.maxTalkers; ++s) slotEncoders_.emplace_back(config_.encoder);
  slotPosition_.assign(config_.maxTalkers, -1);
  slotPayload_.resize(config_.maxTalkers);
  talkerFrames_.reserve(config_.maxTalkers);
  // An encoder settles on silence after a few frames: its packet then decodes to silence whatever
  // the listener's decoder played before (the overlap fades the previous frame out).
  OpusEncoderStage silenceEncoder(config_.encoder);
  const std::array<int16_t, kFrameSamples> zeros{};
  std::span<const uint8_t> packet;
  for (int i = 0; i < 10; ++i) packet = silenceEncoder.Encode(zeros);
  silencePacket_.assign(packet.begin(), packet.end());
}

AudioMixer::~AudioMixer() = default;

AudioMixer::Participant* AudioMixer::Find(uint32_t id) {
  auto it = index_.find(id);
  return it == index_.end() ? nullptr : participants_[it->second].get();
}

const AudioMixer::Participant* AudioMixer::Find(uint32_t id) const {
  auto it = index_.find(id);
  return it == index_.end() ? nullptr : participants_[it->second].get();
}

bool AudioMixer::AddParticipant(uint32_t id, RtpStart start) {
  if (id == TalkerSelector::kNone || index_.contains(id)) return false;
  index_.emplace(id, participants_.size());
  participants_.push_back(std::make_unique<Participant>(id, start, config_.jitter, config_.protection));
  candidates_.reserve(participants_.size());
  outputs_.reserve(participants_.size());
  return true;
}

bool AudioMixer::RemoveParticipant(uint32_t id) {
  auto it = index_.find(id);
  if (it == index_.end()) return false;
  const std::size_t pos = it->second;
  index_.erase(it);
  if (pos + 1 != participants_.size()) {
    participants_[pos] = std::move(participants_.back());
    index_[participants_[pos]->id] = pos;
  }
  participants_.pop_back();
  levels_.Remove(id);
  forwardedFrom_ = -1;
  return true;
}

bool AudioMixer::SetMuted(uint32_t id, bool muted) {
  Participant* p = Find(id);
  if (!p) return false;
  p->muted = muted;
  return true;
}

bool AudioMixer::ResetSource(uint32_t id) {
  Participant* p = Find(id);
  if (!p) return false;
  p->jitter.Reset();
  p->decoder.Reset();
  p->hangover = 0;
  p->playoutDelayUs = -1;
  return true;
}

bool AudioMixer::OnReceiverReport(uint32_t id, double fractionLost, int64_t atUs) {
  Participant* p = Find(id);
  if (!p) return false;
  return p->protection.OnReport(fractionLost, atUs);
}

void AudioMixer::ApplyProtection(std::span<const uint32_t> slots) {
  if (!config_.adaptProtection) return;
  const int base = config_.encoder.bitrateBps;
  int sharedLoss = 0;
  for (const auto& holder : participants_) {
    const Participant& p = *holder;
    if (p.talking && selector_.SlotOf(p.id) >= 0) continue;  // hears its own slot's mix
    sharedLoss = std::max(sharedLoss, p.protection.LossPercent());
  }
  sharedEncoder_.SetProtection(LossProtection::ForLoss(config_.protection, base, sharedLoss));
  for (std::size_t s = 0; s < slots.size(); ++s) {
    if (slots[s] == TalkerSelector::kNone) continue;
    const int loss = Find(slots[s])->protection.LossPercent();
    slotEncoders_[s].SetProtection(LossProtection::ForLoss(config_.protection, base, loss));
  }
}

bool AudioMixer::OnRtp(uint32_t id, uint16_t sequence, uint32_t rtpTimestamp, int64_t arrivalUs,
                       std::span<const uint8_t> payload, std::optional<uint8_t> audioLevel) {
  Participant* p = Find(id);
  if (!p) return false;
  return p->jitter.Push(sequence, rtpTimestamp, arrivalUs, payload, audioLevel);
}

void AudioMixer::SkipTicks(uint32_t count) {
  for (auto& p : participants_) p->timestamp += count * kRtpTimestampStep;
}

void AudioMixer::EnsureDecoded(Participant& p) {
  if (p.decoded) return;
  p.decoded = true;
  switch (p.frame.kind) {
    case JitterFrame::Kind::kPacket:
      p.decoder.Decode(p.frame.payload, p.pcm);
      break;
    case JitterFrame::Kind::kLost:
      if (!p.frame.payload.empty()) {
        p.decoder.DecodeFec(p.frame.payload, p.pcm);
      } else {
        p.decoder.Conceal(p.pcm);
      }
      break;
    case JitterFrame::Kind::kSilent:
      p.pcm.fill(0);
      break;
  }
}

TickResult AudioMixer::Tick(int64_t nowUs) {
  TickResult result;
  result.nowUs = nowUs;
  MixerTickStats& stats = result.stats;

  // 1. One frame per source, and its level: from the RTP audio-level extension when present (no
  //    decode needed unless the attendee is then selected), else from the decoded PCM.
  candidates_.clear();
  for (auto& holder : participants_) {
    Participant& p = *holder;
    p.frame = p.jitter.Pop(nowUs);
    p.decoded = false;
    if (p.frame.kind == JitterFrame::Kind::kPacket) {
      // Smoothed (1/16, as RFC 3550's jitter) so one early or late packet does not move the mapping.
      const int64_t delay = std::max<int64_t>(nowUs - p.frame.arrivalUs, 0);
      p.playoutDelayUs = p.playoutDelayUs < 0 ? delay : p.playoutDelayUs + (delay - p.playoutDelayUs) / 16;
    }
    if (p.muted || p.frame.kind == JitterFrame::Kind::kSilent) {
      p.levelDbov = kSilenceDbov;
      p.hangover = 0;
    } else {
      const bool levelFromExtension = config_.skipDecodeWhenQuiet && p.frame.audioLevel.has_value();
      if (levelFromExtension) {
        p.levelDbov = AudioLevel::FromRtpExtension(*p.frame.audioLevel);
      } else {
        EnsureDecoded(p);
        ++stats.decodes;
        p.levelDbov = AudioLevel::RmsDbov(p.pcm);
      }
      if (p.levelDbov >= config_.talkerThresholdDbov) {
        p.hangover = config_.talkerHangoverTicks + 1;
      } else if (p.hangover > 0) {
        --p.hangover;
      }
    }
    candidates_.push_back(TalkerCandidate{.id = p.id, .levelDbov = p.levelDbov, .talking = p.hangover > 0});
  }

  // 2. The K loudest talkers, in stable slots; decode those not decoded yet; mix.
  const std::span<const uint32_t> slots = selector_.Select(candidates_);
  talkerFrames_.clear();
  Participant* soleTalker = nullptr;
  for (std::size_t s = 0; s < slots.size(); ++s) {
    slotPosition_[s] = -1;
    if (slots[s] == TalkerSelector::kNone) continue;
    Participant& t = *Find(slots[s]);
    if (!t.decoded) {
      EnsureDecoded(t);
      ++stats.decodes;
    }
    slotPosition_[s] = static_cast<int>(talkerFrames_.size());
    talkerFrames_.push_back(ConstPcmFrame(t.pcm.data(), kFrameSamples));
    soleTalker = &t;
  }
  stats.talkers = static_cast<uint32_t>(talkerFrames_.size());
  pcmMixer_.Mix(talkerFrames_);
  for (auto& holder : participants_) holder->talking = false;
  int64_t delaySum = 0;
  int64_t delayCount = 0;
  for (uint32_t id : slots) {
    if (id == TalkerSelector::kNone) continue;
    Participant& t = *Find(id);
    t.talking = true;
    if (t.playoutDelayUs >= 0) {
      delaySum += t.playoutDelayUs;
      ++delayCount;
    }
  }

  // 3. Forward the sole talker's packet as is, when allowed and when there is a packet to forward.
  const bool forward = config_.forwardSingleTalker && talkerFrames_.size() == 1 &&
                       soleTalker->frame.kind == JitterFrame::Kind::kPacket;
  forwardedFrom_ = -1;
  if (forward) {
    forwardSize_ = soleTalker->frame.payload.size();
    std::memcpy(forwardBuffer_.data(), soleTalker->frame.payload.data(), forwardSize_);
    forwardedFrom_ = static_cast<int>(index_.at(soleTalker->id));
  }

  // 4. Encode each distinct mix once: one per talker slot, and the shared one if a non-talker needs it.
  // A mix known to be silent (nobody talks, or a talker alone hears nobody) takes the cached packet.
  ApplyProtection(slots);
  std::vector<std::span<const uint8_t>>& slotPayload = slotPayload_;
  const bool useSilence = config_.cachedSilence && !silencePacket_.empty();
  const std::span<const uint8_t> silence(silencePacket_);
  for (std::size_t s = 0; s < slots.size(); ++s) {
    slotPayload[s] = {};
    if (slotPosition_[s] < 0) continue;
    if (useSilence && talkerFrames_.size() == 1) {
      slotPayload[s] = silence;
      ++stats.silent;
      continue;
    }
    slotPayload[s] =
        slotEncoders_[s].Encode(pcmMixer_.MixWithout(static_cast<std::size_t>(slotPosition_[s])));
    ++stats.encodes;
  }
  std::span<const uint8_t> sharedPayload;
  const bool anyListener = participants_.size() > talkerFrames_.size();
  if (anyListener) {
    if (useSilence && talkerFrames_.empty()) {
      sharedPayload = silence;
      ++stats.silent;
    } else if (forward) {
      sharedPayload = std::span<const uint8_t>(forwardBuffer_.data(), forwardSize_);
    } else {
      sharedPayload = sharedEncoder_.Encode(pcmMixer_.SharedMix());
      ++stats.encodes;
    }
  }

  // 5. One RTP packet per listener.
  outputs_.clear();
  for (auto& holder : participants_) {
    Participant& p = *holder;
    ListenerOutput out;
    out.id = p.id;
    const int slot = p.talking ? selector_.SlotOf(p.id) : -1;
    if (slot >= 0) {
      out.payload = slotPayload[static_cast<std::size_t>(slot)];
      out.mix = slot + 1;
    } else {
      out.payload = sharedPayload;
      out.mix = forward ? -1 : 0;
      if (forward) ++stats.forwarded;
    }
    p.lastMix = out.mix;
    // The talkers this listener hears: all of them, or all but itself.
    const bool ownDelay = slot >= 0 && p.playoutDelayUs >= 0;
    const int64_t heard = delayCount - (ownDelay ? 1 : 0);
    if (heard > 0) p.contentDelayUs = (delaySum - (ownDelay ? p.playoutDelayUs : 0)) / heard;
    out.contentDelayUs = p.contentDelayUs;
    const uint32_t timestamp = p.timestamp;
    p.timestamp += kRtpTimestampStep;
    if (out.payload.empty())
      continue;  // encoder failure: the receiver conceals a gap in time, not in sequence
    out.sequence = p.sequence++;
    out.timestamp = timestamp;
    out.marker = !p.started;
    ++p.packetCount;
    p.octetCount += static_cast<uint32_t>(out.payload.size());
    out.packetCount = p.packetCount;
    out.octetCount = p.octetCount;
    if (!p.started || p.ticksToReport == 0) {
      out.sendSenderReport = true;
      p.ticksToReport = config_.senderReportIntervalTicks;
    }
    --p.ticksToReport;
    p.started = true;
    outputs_.push_back(out);
  }
  result.outputs = outputs_;

  // 6. Levels for AUDIO_METADATA.
  for (auto& holder : participants_) {
    levels_.Observe(holder->id, holder->levelDbov, holder->frame.kind, holder->muted);
  }
  result.levels = levels_.EndTick();
  return result;
}

std::optional<ParticipantStatus> AudioMixer::Status(uint32_t id) const {
  const Participant* p = Find(id);
  if (!p) return std::nullopt;
  return ParticipantStatus{
      .levelDbov = p->levelDbov, .lastFrame = p->frame.kind, .muted = p->muted, .talking = p->talking};
}

const JitterBuffer* AudioMixer::Jitter(uint32_t id) const {
  const Participant* p = Find(id);
  return p ? &p->jitter : nullptr;
}

const LossProtection* AudioMixer::Protection(uint32_t id) const {
  const Participant* p = Find(id);
  return p ? &p->protection : nullptr;
}

std::optional<EncoderProtection> AudioMixer::MixProtection(int mix) const {
  if (mix == 0) return sharedEncoder_.Protection();
  if (mix < 0 || static_cast<std::size_t>(mix) > slotEncoders_.size()) return std::nullopt;
  return slotEncoders_[static_cast<std::size_t>(mix - 1)].Protection();
}

std::optional<int64_t> AudioMixer::PlayoutDelayUs(uint32_t id) const {
  const Participant* p = Find(id);
  if (!p || p->playoutDelayUs < 0) return std::nullopt;
  return p->playoutDelayUs;
}

std::optional<ConstPcmFrame> AudioMixer::LastMixFor(uint32_t id) const {
  const Participant* p = Find(id);
  if (!p) return std::nullopt;
  if (p->lastMix < 0) {
    if (forwardedFrom_ < 0) return std::nullopt;
    return ConstPcmFrame(participants_[static_cast<std::size_t>(forwardedFrom_)]->pcm.data(), kFrameSamples);
  }
  if (p->lastMix == 0) return pcmMixer_.SharedMix();
  const int position = slotPosition_[static_cast<std::size_t>(p->lastMix - 1)];
  if (position < 0) return std::nullopt;
  return pcmMixer_.MixWithout(static_cast<std::size_t>(position));
}

}  // namespace medicall::media::audio
