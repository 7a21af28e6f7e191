// publisher_fuzzer: a stateful fuzzer of the publisher's sequence tracking and NACK generation
// (media/router/Publisher: OnSequence, CollectNacks, AdoptSsrc), driven the way MeetingRouter drives
// it: every packet OnSequence says is new goes into the packet cache, NACKs are collected on a timer
// into a list of at most 64. The input is a stream of sequence numbers (in order, lost, reordered,
// duplicated, jumps, SSRC changes) on a clock that only moves forward. A model in RFC 3550 serial
// arithmetic checks:
//   - a packet newer than the highest is new; the highest again is a duplicate; within the kMaxGap (100)
//     numbers behind the highest, a packet received before is a duplicate and one never received is new;
//   - a NACK names only numbers that were skipped (lost) and not received since, at most 3 times each,
//     at least 100 ms apart and within 1 s of the loss, sorted, each once;
//   - liveness: every loss still tracked (among the 64 newest), due and not exhausted is NACKed when the
//     list is not full.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <array>
#include <bitset>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "common/FuzzCheck.hpp"
#include "media/router/Publisher.hpp"
#include "webrtc/rtp/SeqNum.hpp"

namespace medicall::media::router {
// Publisher keeps a reference to its owner and never uses it on these paths; the fuzzer links
// Publisher.cpp without the router, so the owner is an empty stand-in.
class RouterPeer {};
}  // namespace medicall::media::router

namespace {

using medicall::media::router::Publisher;
using medicall::webrtc::rtp::SeqNum;

constexpr int32_t kMaxGap = 100;
constexpr uint64_t kRingSize = 64;
constexpr int kMaxTries = 3;
constexpr int64_t kRetryMs = 100;
constexpr int64_t kMaxAgeMs = 1000;

class Model {
 public:
  Model() : publisher_(owner_, 1, 1, 1000) { publisher_.SetStream(0x1000, 0x2000, 96, 97); }

  void Packet(uint16_t seq, int64_t nowMs) {
    const bool isNew = publisher_.OnSequence(seq, nowMs);
    FUZZ_TRACE("packet %u at %lld ms -> %s\n", seq, static_cast<long long>(nowMs),
               isNew ? "new" : "duplicate");
    if (!highest_) {
      FUZZ_CHECK(isNew);
      highest_ = seq;
      received_.set(seq);
    } else if (SeqNum::IsNewer(seq, *highest_)) {
      FUZZ_CHECK(isNew);
      const int32_t gap = SeqNum::Diff(seq, *highest_) - 1;
      if (gap > kMaxGap) {
        for (Loss& l : losses_) l.alive = false;
      }
      for (int32_t i = 1; i <= gap; ++i) {
        const auto s = static_cast<uint16_t>(*highest_ + i);
        received_.reset(s);  // a number from the previous cycle of 2^16
        if (gap > kMaxGap) continue;
        for (const Loss& l : losses_) {
          if (l.alive && l.seq == s) wrapped_ = true;  // 2^16 numbers within a second: stop judging NACKs
        }
        losses_.push_back(Loss{s, nowMs, 0, 0, created_++, true});
      }
      highest_ = seq;
      received_.set(seq);
    } else if (seq == *highest_) {
      FUZZ_CHECK(!isNew);
    } else {
      const int32_t behind = SeqNum::Diff(*highest_, seq);
      if (behind <= kMaxGap) {
        // New only if not received in this cycle; a duplicate only if received with this number at all
        // (after jumps adding up to 2^16 a number may come back while the cache still holds it).
        if (isNew) FUZZ_CHECK(!received_.test(seq));
        if (!isNew) FUZZ_CHECK(everReceived_.test(seq));
      }
      if (isNew) received_.set(seq);
    }
    if (isNew) {
      everReceived_.set(seq);
      for (Loss& l : losses_) {
        if (l.seq == seq) l.alive = false;
      }
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

  void NewSsrc(uint32_t ssrc) {
    publisher_.AdoptSsrc(ssrc);
    FUZZ_TRACE("new ssrc %08x\n", ssrc);
    highest_.reset();
    received_.reset();
    everReceived_.reset();
    losses_.clear();
    wrapped_ = false;
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

  void Compact() {
    std::erase_if(losses_, [&](const Loss& l) { return !l.alive || created_ - l.order > kRingSize; });
  }

  medicall::media::router::RouterPeer owner_;
  Publisher publisher_;
  std::optional<uint16_t> highest_;
  std::bitset<65536> received_;      // received within the current cycle of 2^16 numbers
  std::bitset<65536> everReceived_;  // received with this number since the stream (SSRC) started
  std::vector<Loss> losses_;
  uint64_t created_ = 0;
  bool wrapped_ = false;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  Model model;
  uint16_t cursor = in.ConsumeIntegral<uint16_t>();
  uint16_t last = cursor;
  int64_t nowMs = 1'000;
  auto packet = [&](uint16_t seq) {
    model.Packet(seq, nowMs);
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
      case 3:  // a reordered packet or a retransmission (RTX)
        packet(static_cast<uint16_t>(cursor - in.ConsumeIntegralInRange<int>(1, 140)));
        break;
      case 4:  // a duplicate
        packet(last);
        break;
      case 5:  // any number at all
        packet(in.ConsumeIntegral<uint16_t>());
        break;
      case 6:  // time passes
        nowMs += in.ConsumeIntegralInRange<int64_t>(0, 400);
        break;
      case 7:
      case 8:  // the NACK timer (the router's list holds 64)
        model.Nacks(nowMs, in.ConsumeBool() ? 64 : in.ConsumeIntegralInRange<size_t>(0, 80));
        break;
      case 9:  // the sender restarts its stream
        model.NewSsrc(in.ConsumeIntegral<uint32_t>());
        cursor = in.ConsumeIntegral<uint16_t>();
        break;
    }
    model.CheckCount();
  }
  return 0;
}
