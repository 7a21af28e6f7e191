// publisher_fuzzer: a stateful fuzzer of the publisher's receive side (media/router/RecvStream:
// AcceptMediaSsrc, OnPacket, CollectNacks, SetStream) and of the sequence tracking it runs on
// (webrtc/rtp/SequenceTracker, RFC 3550 A.1), driven the way MeetingRouter drives them: a packet whose
// SSRC is accepted goes to OnPacket, every packet OnPacket calls new goes into the packet cache, NACKs
// are collected on a timer into a list of at most 64. The input is a stream of sequence numbers (in
// order, lost, reordered, duplicated, jumps, a sender switching SSRC with or without renegotiation) on a
// clock that only moves forward. Checked:
//   - SequenceTracker(3000, 512) against RFC 3550 A.1 with probation: less than MAX_DROPOUT ahead is in
//     order (the gap reported), the highest again a duplicate, up to 512 behind late, anything else a
//     jump on probation, confirmed (resynced) by the number after it; a late packet in between does
//     not cancel the probation, an in-order one does;
//   - Publisher::OnPacket classifies as the tracker does: in order, resync and first are new, the
//     highest again is a duplicate, a late packet is new exactly when its number was not received since
//     it entered the window (also when a packet on probation, cached too, took its cache slot), a packet
//     on probation is passed on (the subscribers' rewriters hold it);
//   - a NACK names only numbers that were skipped (lost, at most 100 in one gap) and not received since,
//     at most 3 times each, at least 100 ms apart and within 1 s of the loss, sorted, each once;
//   - liveness: every loss still tracked (among the 64 newest), due and not exhausted is NACKed when the
//     list is not full;
//   - SSRC: the declared SSRC is forwarded; another one only after the forwarded one was silent for 2 s
//     and at most once per 5 s (the stream then starts again).
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <array>
#include <bitset>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "common/FuzzCheck.hpp"
#include "common/Clock.hpp"
#include "media/router/RecvStream.hpp"
#include "media/router/RouterContext.hpp"
#include "webrtc/rtp/SeqNum.hpp"
#include "webrtc/rtp/SequenceTracker.hpp"

namespace {

// The stream's receive side is what is fuzzed (the router's RecvStream, one per publisher layer); its
// feedback target is never reached on these paths and the fuzz build has no socket layer: a stand-in.
class NoFeedback final : public medicall::media::router::FeedbackTarget {
 public:
  uint32_t FeedbackSenderSsrc() const override { return 1; }
  bool FeedbackConnected() const override { return false; }
  bool SendFeedbackRtcp(std::span<uint8_t>, size_t) override { return false; }
};

using Publisher = medicall::media::router::RecvStream;
using medicall::webrtc::rtp::SeqNum;
using medicall::webrtc::rtp::SequenceTracker;
using Result = SequenceTracker::Result;

constexpr int32_t kMaxDropout = SequenceTracker::kDefaultMaxDropout;
constexpr int32_t kMaxMisorder = static_cast<int32_t>(Publisher::kCachePackets);
constexpr int32_t kMaxGap = 100;
constexpr uint64_t kRingSize = 64;
constexpr int kMaxTries = 3;
constexpr int64_t kRetryMs = 100;
constexpr int64_t kMaxAgeMs = 1000;
constexpr uint32_t kRtxSsrc = 0x2000;

// RFC 3550 A.1 as the specification of what SequenceTracker answers; the tracker under test is the
// Publisher's twin, fed the same numbers.
class TrackerCheck {
 public:
  Result Update(uint16_t seq) {
    const Result r = tracker_.Update(seq);
    if (!highest_) {
      FUZZ_CHECK(r == Result::kFirst);
      highest_ = seq;
      return r;
    }
    const auto ahead = static_cast<uint16_t>(seq - *highest_);
    if (ahead == 0) {
      FUZZ_CHECK(r == Result::kDuplicate);
    } else if (ahead < kMaxDropout) {
      FUZZ_CHECK(r == Result::kNewer && tracker_.Gap() == ahead - 1);
      highest_ = seq;
      badSeq_.reset();
    } else if (badSeq_ && seq == *badSeq_) {
      FUZZ_CHECK(r == Result::kResynced);
      highest_ = seq;
      badSeq_.reset();
    } else if (ahead >= 65536 - kMaxMisorder) {
      FUZZ_CHECK(r == Result::kLate);
    } else {
      FUZZ_CHECK(r == Result::kProbation);
      badSeq_ = static_cast<uint16_t>(seq + 1);
    }
    FUZZ_CHECK(tracker_.Highest() == *highest_);
    return r;
  }
  void Reset() {
    tracker_.Reset();
    highest_.reset();
    badSeq_.reset();
  }

 private:
  SequenceTracker tracker_{kMaxDropout, kMaxMisorder};
  std::optional<uint16_t> highest_;
  std::optional<uint16_t> badSeq_;
};

class Model {
 public:
  explicit Model(int64_t nowMs) : context_(clock_), publisher_(owner_, context_, "") {
    publisher_.SetStream(ssrc_, kRtxSsrc, 96, 97, medicall::webrtc::rtp::VideoCodec::kVp8, nowMs);
    lastMediaMs_ = lastAdoptMs_ = nowMs;
  }

  void Packet(uint32_t ssrc, uint16_t seq, int64_t nowMs) {
    const bool accepted = publisher_.AcceptMediaSsrc(ssrc, nowMs);
    FUZZ_TRACE("packet ssrc %08x seq %u at %lld ms%s", ssrc, seq, static_cast<long long>(nowMs),
               accepted ? "" : " -> foreign ssrc\n");
    if (ssrc == ssrc_) {
      FUZZ_CHECK(accepted);
      lastMediaMs_ = nowMs;
    } else {
      const bool mayReadopt = ssrc != kRtxSsrc &&
                              nowMs - lastMediaMs_ >= Publisher::kSilenceBeforeReadoptMs &&
                              nowMs - lastAdoptMs_ >= Publisher::kReadoptIntervalMs;
      FUZZ_CHECK(accepted == mayReadopt);
      if (!accepted) return;
      Restart(ssrc, nowMs);
    }
    FUZZ_CHECK(publisher_.MediaSsrc() == ssrc_);

    const Result r = tracker_.Update(seq);
    const bool isNew = publisher_.OnPacket(seq, 0, nowMs, false);
    FUZZ_TRACE(" -> %s (tracker %d)\n", isNew ? "new" : "duplicate", static_cast<int>(r));
    switch (r) {
      case Result::kFirst:
        FUZZ_CHECK(isNew);
        received_.reset();
        break;
      case Result::kNewer: {
        FUZZ_CHECK(isNew);
        const int32_t gap = static_cast<int32_t>(static_cast<uint16_t>(seq - highest_)) - 1;
        if (gap > kMaxGap) {
          for (Loss& l : losses_) l.alive = false;
        }
        for (int32_t i = 1; i <= gap; ++i) {
          const auto s = static_cast<uint16_t>(highest_ + i);
          received_.reset(s);  // a number from before: it enters the window unreceived
          if (gap > kMaxGap) continue;
          for (const Loss& l : losses_) {
            if (l.alive && l.seq == s) wrapped_ = true;  // 2^16 numbers within a second: stop judging NACKs
          }
          losses_.push_back(Loss{s, nowMs, 0, 0, created_++, true});
        }
        break;
      }
      case Result::kDuplicate:
        FUZZ_CHECK(!isNew);
        break;
      case Result::kLate:
        FUZZ_CHECK(isNew == !received_.test(seq));  // new exactly when not received in this window
        for (Loss& l : losses_) {
          if (l.seq == seq) l.alive = false;
        }
        break;
      case Result::kProbation:
        FUZZ_CHECK(isNew);  // passed on; neither the window nor the losses move
        break;
      case Result::kResynced:
        FUZZ_CHECK(isNew);
        for (Loss& l : losses_) l.alive = false;
        received_.reset();
        received_.set(static_cast<uint16_t>(seq - 1));  // the packet on probation went out
        break;
    }
    if (r == Result::kFirst || r == Result::kNewer || r == Result::kResynced) highest_ = seq;
    if (isNew && r != Result::kProbation) received_.set(seq);
    if (isNew) {
      const std::array<uint8_t, 16> bytes{0x80, 96, static_cast<uint8_t>(seq >> 8),
                                          static_cast<uint8_t>(seq)};
      publisher_.Cache().Store(seq, bytes, nowMs);
    }
    Compact();
  }

  void Nacks(int64_t nowMs, size_t capacity) {
    std::array<uint16_t, 80> out{};
    const size_t n = publisher_.CollectNacks(nowMs, std::span(out).first(capacity));
    FUZZ_CHECK(n <= capacity);
    FUZZ_TRACE("nacks at %lld ms (room %zu):", static_cast<long long>(nowMs), capacity);
    for (size_t i = 0; i < n; ++i) FUZZ_TRACE(" %u", out[i]);
    FUZZ_TRACE("\n");
    for (size_t i = 1; i < n; ++i) FUZZ_CHECK(wrapped_ || SeqNum::IsNewer(out[i], out[i - 1]));
    if (wrapped_) return;
    for (size_t i = 0; i < n; ++i) {
      Loss* loss = nullptr;
      for (Loss& l : losses_) {
        if (l.alive && l.seq == out[i]) loss = &l;
      }
      FUZZ_CHECK(loss != nullptr);  // only a lost packet not received since
      FUZZ_CHECK(!received_.test(out[i]));
      FUZZ_CHECK(loss->tries < kMaxTries);  // at most 3 NACKs per packet
      FUZZ_CHECK(loss->lastNackMs == 0 || nowMs - loss->lastNackMs >= kRetryMs);
      FUZZ_CHECK(nowMs - loss->sinceMs <= kMaxAgeMs);
      ++loss->tries;
      loss->lastNackMs = nowMs;
      loss->nackedNow = true;
    }
    if (n < capacity) {
      for (const Loss& l : losses_) {
        if (!l.alive || l.nackedNow || created_ - l.order > kRingSize) continue;
        const bool due = l.tries < kMaxTries && nowMs - l.sinceMs <= kMaxAgeMs &&
                         (l.lastNackMs == 0 || nowMs - l.lastNackMs >= kRetryMs);
        FUZZ_CHECK(!due);  // a tracked, due loss is NACKed when the list has room
      }
    }
    for (Loss& l : losses_) l.nackedNow = false;
  }

  // The sender renegotiated with a new SSRC: it is forwarded from now on.
  void Renegotiate(uint32_t ssrc, int64_t nowMs) {
    publisher_.SetStream(ssrc, kRtxSsrc, 96, 97, medicall::webrtc::rtp::VideoCodec::kVp8, nowMs);
    FUZZ_TRACE("renegotiated ssrc %08x\n", ssrc);
    if (ssrc != ssrc_) Restart(ssrc, nowMs);
    FUZZ_CHECK(publisher_.MediaSsrc() == ssrc_);
  }

  void CheckCount() const {
    if (wrapped_) return;
    FUZZ_CHECK(publisher_.MissingCount() <= kRingSize);
  }

 private:
  struct Loss {
    uint16_t seq;
    int64_t sinceMs;
    int tries;
    int64_t lastNackMs;
    uint64_t order;  // creation index: the publisher keeps the newest kRingSize
    bool alive;
    bool nackedNow = false;
  };

  // A new stream: everything starts again.
  void Restart(uint32_t ssrc, int64_t nowMs) {
    FUZZ_TRACE("\nnew stream on ssrc %08x", ssrc);
    ssrc_ = ssrc;
    lastMediaMs_ = lastAdoptMs_ = nowMs;
    tracker_.Reset();
    received_.reset();
    losses_.clear();
    wrapped_ = false;
  }

  void Compact() {
    std::erase_if(losses_, [&](const Loss& l) { return !l.alive || created_ - l.order > kRingSize; });
  }

  NoFeedback owner_;
  medicall::ManualClock clock_;
  medicall::media::router::RouterContext context_;
  Publisher publisher_;
  uint32_t ssrc_ = 0x1000;
  int64_t lastMediaMs_ = 0;
  int64_t lastAdoptMs_ = 0;
  TrackerCheck tracker_;
  uint16_t highest_ = 0;
  std::bitset<65536> received_;  // received since the number last entered the window (since a resync)
  std::vector<Loss> losses_;
  uint64_t created_ = 0;
  bool wrapped_ = false;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  int64_t nowMs = 1'000;
  Model model(nowMs);
  uint16_t cursor = in.ConsumeIntegral<uint16_t>();
  uint16_t last = cursor;
  uint32_t ssrc = 0x1000;
  auto packet = [&](uint16_t seq) {
    model.Packet(ssrc, seq, nowMs);
    last = seq;
  };
  for (int ops = 0; ops < 3000 && in.remaining_bytes() > 0; ++ops) {
    switch (in.ConsumeIntegralInRange<int>(0, 9)) {
      case 0:
      case 1:
        packet(cursor++);
        break;
      case 2:  // loss of k packets
        cursor = static_cast<uint16_t>(cursor + in.ConsumeIntegralInRange<int>(1, 120));
        packet(cursor++);
        break;
      case 3: {  // a reordered packet or a retransmission (RTX); 140 reaches deeper, across the late window
        int behind = in.ConsumeIntegralInRange<int>(1, 140);
        if (behind == 140) behind = in.ConsumeIntegralInRange<int>(140, 1100);
        packet(static_cast<uint16_t>(cursor - behind));
        break;
      }
      case 4:  // a duplicate
        packet(last);
        break;
      case 5:  // any number at all (a stray packet)
        packet(in.ConsumeIntegral<uint16_t>());
        break;
      case 6:  // time passes
        nowMs += in.ConsumeIntegralInRange<int64_t>(0, 400);
        break;
      case 7:
      case 8:  // the NACK timer (the router's list holds 64)
        model.Nacks(nowMs, in.ConsumeBool() ? 64 : in.ConsumeIntegralInRange<size_t>(0, 80));
        break;
      case 9: {  // the sender renumbers (same SSRC), or restarts on an SSRC, renegotiated or not
        const uint32_t v = in.ConsumeIntegral<uint32_t>();
        cursor = in.ConsumeIntegral<uint16_t>();
        switch (v % 4) {
          case 0:
            break;
          case 1:
            ssrc = 0x1000;
            break;
          default:  // never 0 ("not declared" in Publisher::SetStream) nor the RTX SSRC: v % 4 is 2 or 3
            ssrc = v;
            break;
        }
        if (v % 4 == 2) model.Renegotiate(ssrc, nowMs);
        break;
      }
    }
    model.CheckCount();
  }
  return 0;
}
