#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "media/audio/AudioConstants.hpp"
#include "webrtc/rtp/SeqNumUnwrapper.hpp"

namespace medicall::media::audio {

struct JitterBufferConfig {
  int64_t targetDelayUs = 60'000;   // playout delay built up before the first frame is played
  int64_t maxDelayUs = 200'000;     // hard bound: older frames are dropped beyond this depth
  uint32_t maxConcealFrames = 5;    // after this many empty ticks in a row the sender counts as stopped
  uint32_t shrinkAfterTicks = 100;  // depth above target+1 for this long (2 s) drops one frame
};

// What the mixer gets for one 20 ms tick.
struct JitterFrame {
  enum class Kind : uint8_t {
    kPacket,  // payload = the packet to decode
    kLost,    // expected packet missing: payload = next packet if it carries LBRR (decode with FEC), or empty
              // (PLC)
    kSilent,  // nothing to play: sender not started, stopped, or re-buffering
  };
  Kind kind = Kind::kSilent;
  std::span<const uint8_t> payload;  // valid until the next Push or Pop
  int64_t extendedSeq = 0;
  uint32_t rtpTimestamp = 0;
  std::optional<uint8_t> audioLevel;  // RFC 6464 value (0..127, -dBov) of the played packet
  int64_t arrivalUs = 0;              // kPacket: when the played packet arrived (Push's arrivalUs)
};

struct JitterBufferStats {
  uint64_t received = 0;
  uint64_t played = 0;
  uint64_t lost = 0;       // kLost frames handed out (FEC or PLC)
  uint64_t fecFrames = 0;  // of which had an LBRR-bearing next packet
  uint64_t duplicates = 0;
  uint64_t late = 0;           // arrived after their playout time
  uint64_t overflowDrops = 0;  // dropped to keep the delay bound (bursts, stalls, shrink)
  uint64_t oversized = 0;      // payload larger than kMaxOpusPayload or empty
  uint64_t resyncs = 0;        // sequence jumped beyond the window: buffer restarted
  uint64_t discarded = 0;      // buffered but never played: thrown away by a restart or Reset()
};

// Per-attendee jitter buffer of Opus packets keyed by RTP sequence number (RFC 3550 section 3:
// 16-bit, wraps; extended to 64 bits by webrtc::rtp::SeqNumUnwrapper, RFC 3550 appendix A.1).
// Arrival times and tick times are on the same monotonic clock, in microseconds. Fixed memory: a ring of
// kSlots packets of at most kMaxOpusPayload bytes. One packet is one 20 ms frame (what WebRTC sends); the
// caller checks the duration on decode. Single-threaded: lives on the meeting's worker.
class JitterBuffer {
 public:
  static constexpr std::size_t kSlots = 16;  // 320 ms window: covers maxDelayUs (<= 300 ms)

  explicit JitterBuffer(const JitterBufferConfig& config = {});

  // Stores one packet. Returns false when dropped (duplicate, late, oversized); see Stats().
  bool Push(uint16_t seq, uint32_t rtpTimestamp, int64_t arrivalUs, std::span<const uint8_t> payload,
            std::optional<uint8_t> audioLevel = std::nullopt);

  // The frame for the tick at `nowUs`. Call once per 20 ms tick.
  JitterFrame Pop(int64_t nowUs);

  // Forget everything (attendee left and came back, SSRC changed).
  void Reset();

  bool Playing() const { return state_ == State::kPlaying; }
  // Frames from the next one to play up to the newest received (holes included).
  std::size_t Depth() const;
  const JitterBufferStats& Stats() const { return stats_; }

 private:
  enum class State : uint8_t { kEmpty, kBuffering, kPlaying };

  struct Slot {
    int64_t extSeq = -1;
    bool present = false;  // holds a packet not yet played
    bool played = false;   // extSeq was played (to tell a late duplicate from a late packet)
    uint32_t rtpTimestamp = 0;
    int64_t arrivalUs = 0;
    std::optional<uint8_t> audioLevel;
    uint16_t size = 0;
    std::array<uint8_t, kMaxOpusPayload> data{};
  };

  Slot& SlotFor(int64_t extSeq) { return slots_[static_cast<std::size_t>(extSeq) & (kSlots - 1)]; }
  const Slot& SlotFor(int64_t extSeq) const {
    return slots_[static_cast<std::size_t>(extSeq) & (kSlots - 1)];
  }
  void DropFront(std::size_t frames);
  // Starts buffering again from extSeq. firstUnplayed: numbers below it were played (or skipped) before
  // the restart, so a straggler below it is late, not reordered ahead of the new first packet (0: none).
  void Restart(int64_t extSeq, int64_t arrivalUs, int64_t firstUnplayed);
  bool IsDuplicateOfPast(int64_t extSeq) const;

  JitterBufferConfig config_;
  std::size_t targetFrames_;
  std::size_t maxFrames_;
  State state_ = State::kEmpty;
  webrtc::rtp::SeqNumUnwrapper unwrapper_;
  int64_t highest_ = -1;  // highest extended sequence number received
  int64_t next_ = 0;      // next extended sequence number to play
  int64_t floor_ = 0;     // while buffering, nothing below this may be played (already played before)
  int64_t bufferingSinceUs_ = 0;
  uint32_t emptyTicks_ = 0;  // consecutive ticks with nothing buffered while playing
  uint32_t deepTicks_ = 0;   // consecutive ticks with depth above target + 1
  uint32_t lateRun_ = 0;     // consecutive late packets: a sender restart with lower numbers
  JitterBufferStats stats_;
  std::array<Slot, kSlots> slots_;
};

}  // namespace medicall::media::audio
