#include "media/audio/JitterBuffer.hpp"

#include <algorithm>
#include <cstring>

#include "media/audio/OpusPacket.hpp"

namespace medicall::media::audio {

namespace {
std::size_t FramesFor(int64_t us) {
  return static_cast<std::size_t>(std::max<int64_t>(us, 0) / kFrameDurationUs);
}
}  // namespace

JitterBuffer::JitterBuffer(const JitterBufferConfig& config) : config_(config) {
  maxFrames_ = std::clamp<std::size_t>(FramesFor(config_.maxDelayUs), 1, kSlots - 1);
  targetFrames_ = std::clamp<std::size_t>(FramesFor(config_.targetDelayUs), 1, maxFrames_);
}

void JitterBuffer::Reset() {
  for (Slot& slot : slots_) {
    if (slot.present) ++stats_.discarded;
    slot.present = false;
    slot.played = false;
    slot.extSeq = -1;
  }
  state_ = State::kEmpty;
  highest_ = -1;
  next_ = 0;
  floor_ = 0;
  emptyTicks_ = 0;
  deepTicks_ = 0;
  lateRun_ = 0;
  unwrapper_.Reset();
}

std::size_t JitterBuffer::Depth() const {
  if (state_ == State::kEmpty || highest_ < next_) return 0;
  return static_cast<std::size_t>(highest_ - next_ + 1);
}

void JitterBuffer::Restart(int64_t extSeq, int64_t arrivalUs, int64_t firstUnplayed) {
  for (Slot& slot : slots_) {
    if (slot.present) ++stats_.discarded;
    slot.present = false;
    slot.played = false;
  }
  state_ = State::kBuffering;
  next_ = extSeq;
  highest_ = extSeq;
  floor_ = firstUnplayed;
  bufferingSinceUs_ = arrivalUs;
  emptyTicks_ = 0;
  deepTicks_ = 0;
  lateRun_ = 0;
}

bool JitterBuffer::IsDuplicateOfPast(int64_t extSeq) const {
  const Slot& slot = SlotFor(extSeq);
  return slot.extSeq == extSeq && (slot.played || slot.present);
}

void JitterBuffer::DropFront(std::size_t frames) {
  for (std::size_t i = 0; i < frames; ++i) {
    Slot& slot = SlotFor(next_);
    if (slot.present && slot.extSeq == next_) {
      slot.present = false;
      ++stats_.overflowDrops;
    }
    ++next_;
  }
}

bool JitterBuffer::Push(uint16_t seq, uint32_t rtpTimestamp, int64_t arrivalUs,
                        std::span<const uint8_t> payload, std::optional<uint8_t> audioLevel) {
  if (payload.empty() || payload.size() > kMaxOpusPayload) {
    ++stats_.oversized;
    return false;
  }
  ++stats_.received;
  const int64_t ext = unwrapper_.Unwrap(seq);

  if (state_ == State::kEmpty) {
    if (highest_ >= 0 && ext < next_) {
      // Stragglers from before the sender paused.
      if (IsDuplicateOfPast(ext)) {
        ++stats_.duplicates;
      } else {
        ++stats_.late;
      }
      return false;
    }
    Restart(ext, arrivalUs, highest_ >= 0 ? next_ : 0);
  } else if (ext < next_) {
    const bool nothingPlayedYet = state_ == State::kBuffering;
    if (nothingPlayedYet && ext >= floor_ && highest_ - ext < static_cast<int64_t>(kSlots) - 1) {
      next_ = ext;  // reordered ahead of the first packet: play it first
    } else if (IsDuplicateOfPast(ext)) {
      ++stats_.duplicates;
      return false;
    } else {
      ++stats_.late;
      if (++lateRun_ >= 2 * kSlots) {
        ++stats_.resyncs;  // the sender restarted with lower sequence numbers
        Restart(ext, arrivalUs, 0);
      } else {
        return false;
      }
    }
  } else if (ext >= next_ + static_cast<int64_t>(kSlots)) {
    if (ext - highest_ >= static_cast<int64_t>(kSlots)) {
      ++stats_.resyncs;  // a jump beyond the window: start over from this packet
      Restart(ext, arrivalUs, next_);
    } else {
      DropFront(static_cast<std::size_t>(ext - next_) - kSlots + 1);
    }
  }

  Slot& slot = SlotFor(ext);
  if (slot.present && slot.extSeq == ext) {
    ++stats_.duplicates;
    return false;
  }
  lateRun_ = 0;
  slot.extSeq = ext;
  slot.present = true;
  slot.played = false;
  slot.rtpTimestamp = rtpTimestamp;
  slot.arrivalUs = arrivalUs;
  slot.audioLevel = audioLevel;
  slot.size = static_cast<uint16_t>(payload.size());
  std::memcpy(slot.data.data(), payload.data(), payload.size());
  highest_ = std::max(highest_, ext);
  return true;
}

JitterFrame JitterBuffer::Pop(int64_t nowUs) {
  JitterFrame frame;
  if (state_ == State::kEmpty) return frame;
  if (state_ == State::kBuffering) {
    if (Depth() < targetFrames_ && nowUs - bufferingSinceUs_ < config_.targetDelayUs) return frame;
    state_ = State::kPlaying;
    emptyTicks_ = 0;
  }

  // Bound the delay: a burst (or a stalled worker) must not leave the attendee permanently late.
  const std::size_t depth = Depth();
  if (depth > maxFrames_) {
    DropFront(depth - targetFrames_);
    deepTicks_ = 0;
  } else if (depth > targetFrames_ + 1) {
    if (++deepTicks_ >= config_.shrinkAfterTicks) {
      DropFront(1);
      deepTicks_ = 0;
    }
  } else {
    deepTicks_ = 0;
  }

  frame.extendedSeq = next_;
  if (highest_ < next_) {
    // Nothing buffered: conceal without consuming a sequence number, so a merely delayed packet
    // still plays when it comes (the delay grows by one frame); a sender that stopped goes silent.
    if (++emptyTicks_ > config_.maxConcealFrames) {
      state_ = State::kEmpty;
      return frame;
    }
    frame.kind = JitterFrame::Kind::kLost;
    ++stats_.lost;
    return frame;
  }
  emptyTicks_ = 0;

  Slot& slot = SlotFor(next_);
  ++next_;
  if (slot.present && slot.extSeq == frame.extendedSeq) {
    slot.present = false;
    slot.played = true;
    frame.kind = JitterFrame::Kind::kPacket;
    frame.payload = std::span<const uint8_t>(slot.data.data(), slot.size);
    frame.rtpTimestamp = slot.rtpTimestamp;
    frame.audioLevel = slot.audioLevel;
    frame.arrivalUs = slot.arrivalUs;
    ++stats_.played;
    return frame;
  }

  // Lost: the next packet may carry this frame again as LBRR (RFC 6716 section 2.1.7).
  frame.kind = JitterFrame::Kind::kLost;
  ++stats_.lost;
  const Slot& following = SlotFor(next_);
  if (following.present && following.extSeq == next_) {
    const std::span<const uint8_t> nextPayload(following.data.data(), following.size);
    frame.rtpTimestamp = following.rtpTimestamp - kRtpTimestampStep;
    frame.audioLevel = following.audioLevel;
    if (OpusPacket::HasLbrr(nextPayload)) {
      frame.payload = nextPayload;
      ++stats_.fecFrames;
    }
  }
  return frame;
}

}  // namespace medicall::media::audio
