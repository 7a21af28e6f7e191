// jitter_buffer_fuzzer: a stateful fuzzer of media/audio/JitterBuffer. The input is a program of
// operations (in order, lost, reordered, duplicated, jumped and oversized packets; ticks, stalls and
// arrival jitter) run against one buffer whose configuration also comes from the input. A model keeps
// every accepted packet by extended sequence number (the same SeqNumUnwrapper the buffer uses) and checks:
//   - a played frame is the packet pushed under that sequence number (payload, RTP timestamp, level),
//     is played once, and played sequence numbers strictly increase (except across a counted resync);
//   - a frame reported lost is not a packet the buffer holds (no gap except real loss); an FEC frame
//     carries the packet that follows it;
//   - a packet newer than all before it is always accepted;
//   - the depth never exceeds the window, and after a tick never exceeds the configured maximum;
//   - the accounts balance: accepted = played + overflow drops + discarded, and the counters match
//     what the model saw.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "common/FuzzCheck.hpp"
#include "media/audio/JitterBuffer.hpp"
#include "webrtc/rtp/SeqNumUnwrapper.hpp"

namespace {

using namespace medicall::media::audio;
using Kind = JitterFrame::Kind;

struct Pushed {
  uint16_t seq = 0;
  uint32_t timestamp = 0;
  std::optional<uint8_t> level;
};

// Payload layout: TOC byte (from the input: SILK ones may carry LBRR), seq (2), timestamp (4), filler.
std::vector<uint8_t> PayloadFor(uint8_t toc, uint16_t seq, uint32_t ts, size_t filler) {
  std::vector<uint8_t> p{toc,
                         static_cast<uint8_t>(seq >> 8),
                         static_cast<uint8_t>(seq),
                         static_cast<uint8_t>(ts >> 24),
                         static_cast<uint8_t>(ts >> 16),
                         static_cast<uint8_t>(ts >> 8),
                         static_cast<uint8_t>(ts)};
  p.resize(p.size() + filler, 0xA5);
  return p;
}

bool PayloadIs(std::span<const uint8_t> payload, uint16_t seq, uint32_t ts) {
  if (payload.size() < 7) return false;
  const uint16_t s = static_cast<uint16_t>((payload[1] << 8) | payload[2]);
  const uint32_t t = (uint32_t{payload[3]} << 24) | (uint32_t{payload[4]} << 16) |
                     (uint32_t{payload[5]} << 8) | uint32_t{payload[6]};
  return s == seq && t == ts;
}

class Model {
 public:
  explicit Model(const JitterBufferConfig& config) : jb_(config) {
    maxFrames_ = std::clamp<int64_t>(std::max<int64_t>(config.maxDelayUs, 0) / kFrameDurationUs, 1,
                                     static_cast<int64_t>(JitterBuffer::kSlots) - 1);
  }

  // empty: an empty payload instead of the usual one (then filler is ignored).
  void Push(uint16_t seq, uint32_t ts, int64_t arrivalUs, uint8_t toc, size_t filler,
            std::optional<uint8_t> level, bool empty = false) {
    const auto payload = empty ? std::vector<uint8_t>() : PayloadFor(toc, seq, ts, filler);
    const uint64_t resyncsBefore = jb_.Stats().resyncs;
    const bool accepted = jb_.Push(seq, ts, arrivalUs, payload, level);
    FUZZ_TRACE("push seq %u size %zu at %lld -> %s depth %zu\n", seq, payload.size(),
               static_cast<long long>(arrivalUs), accepted ? "accepted" : "refused", jb_.Depth());
    if (payload.empty() || payload.size() > kMaxOpusPayload) {
      FUZZ_CHECK(!accepted);
      ++oversized_;
      return;
    }
    ++received_;
    const int64_t ext = unwrapper_.Unwrap(seq);
    if (!highestExt_ || ext > *highestExt_) {
      FUZZ_CHECK(accepted);  // the newest packet so far is never refused
      highestExt_ = ext;
    }
    if (jb_.Stats().resyncs != resyncsBefore) {
      // The buffer started over from this packet: what it held is discarded.
      gone_ += held_.size();
      held_.clear();
      resynced_ = true;
    }
    if (accepted) {
      ++accepted_;
      FUZZ_CHECK(held_.find(ext) == held_.end());  // a duplicate is never accepted
      held_[ext] = Pushed{seq, ts, level};
    } else {
      ++rejected_;
    }
    FUZZ_CHECK(jb_.Depth() <= JitterBuffer::kSlots);
  }

  void Pop(int64_t nowUs) {
    const JitterFrame f = jb_.Pop(nowUs);
    FUZZ_TRACE("pop at %lld -> %s ext %lld depth %zu\n", static_cast<long long>(nowUs),
               f.kind == Kind::kPacket ? "packet"
               : f.kind == Kind::kLost ? "lost"
                                       : "silent",
               static_cast<long long>(f.extendedSeq), jb_.Depth());
    if (f.kind == Kind::kSilent) {
      FUZZ_CHECK(f.payload.empty());
      return;
    }
    FUZZ_CHECK(jb_.Depth() <= static_cast<size_t>(maxFrames_));
    // Whatever is older than the frame handed out now can no longer play: dropped or discarded.
    for (auto it = held_.begin(); it != held_.end() && it->first < f.extendedSeq;) {
      it = held_.erase(it);
      ++gone_;
    }
    if (f.kind == Kind::kPacket) {
      ++played_;
      auto it = held_.find(f.extendedSeq);
      FUZZ_CHECK(it != held_.end());  // played only what was pushed, and only once
      FUZZ_CHECK(PayloadIs(f.payload, it->second.seq, it->second.timestamp));
      FUZZ_CHECK(f.rtpTimestamp == it->second.timestamp);
      FUZZ_CHECK(f.audioLevel == it->second.level);
      FUZZ_CHECK(f.payload.size() <= kMaxOpusPayload);
      held_.erase(it);
      if (lastPlayed_ && !resynced_) FUZZ_CHECK(f.extendedSeq > *lastPlayed_);
      lastPlayed_ = f.extendedSeq;
      resynced_ = false;
      return;
    }
    ++lost_;
    FUZZ_CHECK(held_.find(f.extendedSeq) == held_.end());  // no gap except real loss
    if (!f.payload.empty()) {
      ++fec_;
      auto next = held_.find(f.extendedSeq + 1);
      FUZZ_CHECK(next != held_.end());
      FUZZ_CHECK(PayloadIs(f.payload, next->second.seq, next->second.timestamp));
      FUZZ_CHECK(f.rtpTimestamp == next->second.timestamp - kRtpTimestampStep);
    }
  }

  void Finish() {
    jb_.Reset();
    gone_ += held_.size();
    held_.clear();
    const JitterBufferStats& s = jb_.Stats();
    FUZZ_CHECK(s.received == received_);
    FUZZ_CHECK(s.oversized == oversized_);
    FUZZ_CHECK(s.played == played_);
    FUZZ_CHECK(s.lost == lost_);
    FUZZ_CHECK(s.fecFrames == fec_);
    FUZZ_CHECK(s.received == accepted_ + rejected_);
    // Every refusal is a duplicate or a late packet; a late packet that restarts the buffer is both
    // counted late and accepted.
    FUZZ_CHECK(s.duplicates + s.late >= rejected_ && s.duplicates + s.late <= rejected_ + s.resyncs);
    FUZZ_CHECK(accepted_ == s.played + s.overflowDrops + s.discarded);
    FUZZ_CHECK(gone_ == s.overflowDrops + s.discarded);
    FUZZ_CHECK(jb_.Depth() == 0 && !jb_.Playing());
  }

 private:
  JitterBuffer jb_;
  int64_t maxFrames_ = 1;
  medicall::webrtc::rtp::SeqNumUnwrapper unwrapper_;
  std::map<int64_t, Pushed> held_;  // accepted, not yet played, by extended sequence number
  std::optional<int64_t> highestExt_;
  std::optional<int64_t> lastPlayed_;
  bool resynced_ = false;  // a resync since the last played frame: numbering may restart lower
  uint64_t received_ = 0, oversized_ = 0, accepted_ = 0, rejected_ = 0, played_ = 0, lost_ = 0, fec_ = 0,
           gone_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  JitterBufferConfig config;
  config.targetDelayUs = in.ConsumeIntegralInRange<int64_t>(-20'000, 400'000);
  config.maxDelayUs = in.ConsumeIntegralInRange<int64_t>(-20'000, 400'000);
  config.maxConcealFrames = in.ConsumeIntegralInRange<uint32_t>(0, 12);
  config.shrinkAfterTicks = in.ConsumeIntegralInRange<uint32_t>(0, 150);
  Model model(config);

  uint16_t cursor = in.ConsumeIntegral<uint16_t>();  // next sequence number the sender would use
  uint32_t tsBase = in.ConsumeIntegral<uint32_t>();
  int64_t nowUs = 1'000'000;
  uint16_t last = cursor;
  auto tsOf = [&](uint16_t seq) { return tsBase + static_cast<uint32_t>(seq) * kRtpTimestampStep; };
  auto push = [&](uint16_t seq) {
    const uint8_t toc = in.ConsumeBool() ? 0xF8 : in.ConsumeIntegral<uint8_t>();
    const size_t filler = in.ConsumeBool() ? 0 : in.ConsumeIntegralInRange<size_t>(0, 40);
    std::optional<uint8_t> level;
    if (in.ConsumeBool()) level = in.ConsumeIntegralInRange<uint8_t>(0, 127);
    const int64_t jitter = in.ConsumeIntegralInRange<int64_t>(0, 15'000);
    model.Push(seq, tsOf(seq), nowUs + jitter, toc, filler, level);
    last = seq;
  };
  auto tick = [&]() {
    model.Pop(nowUs);
    nowUs += kFrameDurationUs;
  };

  for (int ops = 0; ops < 4000 && in.remaining_bytes() > 0; ++ops) {
    switch (in.ConsumeIntegralInRange<int>(0, 9)) {
      case 0:  // the steady state: one packet per tick
      case 1:
        push(cursor++);
        tick();
        break;
      case 2:  // a packet, no tick (a burst)
        push(cursor++);
        break;
      case 3:  // loss of k packets
        cursor = static_cast<uint16_t>(cursor + in.ConsumeIntegralInRange<int>(1, 40));
        push(cursor++);
        break;
      case 4:  // a late or reordered packet
        push(static_cast<uint16_t>(cursor - in.ConsumeIntegralInRange<int>(1, 40)));
        break;
      case 5:  // a duplicate
        push(last);
        break;
      case 6:  // the sender jumps (restart, SSRC kept)
        cursor = static_cast<uint16_t>(cursor + in.ConsumeIntegral<uint16_t>());
        tsBase += in.ConsumeIntegral<uint32_t>();
        push(cursor++);
        break;
      case 7:  // ticks without packets (the sender pauses, or the network stalls)
        for (int i = in.ConsumeIntegralInRange<int>(1, 12); i > 0; --i) tick();
        break;
      case 8:  // a late tick: the worker stalled
        nowUs += in.ConsumeIntegralInRange<int64_t>(0, 500'000);
        tick();
        break;
      case 9:  // an empty or oversized payload
        if (in.ConsumeBool()) {
          model.Push(cursor, tsOf(cursor), nowUs, 0xF8, kMaxOpusPayload, std::nullopt);
        } else {
          model.Push(cursor, tsOf(cursor), nowUs, 0xF8, 0, std::nullopt, /*empty=*/true);
        }
        break;
    }
  }
  model.Finish();
  return 0;
}
