// rtp_rewriter_fuzzer: a stateful fuzzer of webrtc/rtp/RtpRewriter, the per-subscriber rewriting of
// SSRC, sequence number and timestamp. The input is a stream of packets from a few sources (each a
// sender with its own sequence and timestamp counters: in order, lost, reordered, duplicated, jumps
// by any amount, source switches) on a clock that only moves forward. The model checks:
//   - every forwarded packet carries the output SSRC;
//   - within one source the rewriting is a fixed offset (gaps and reordering pass through), and
//     ToSourceSequence maps a forwarded number back to the source's;
//   - the first packet of a new source gets the number after the highest one sent and a timestamp
//     later than the highest one sent;
//   - an output sequence number never stands for two different source packets (within the last
//     2000 forwarded, since the last output jump of more than 1000);
//   - liveness (RFC 3550 A.1 probation): two consecutive in-order packets of the current source
//     are forwarded, unless they lie within the kMaxMisorder (512) numbers behind the highest one seen
//     (reordering); a confirmed jump continues at the highest number sent + 2, the number between
//     standing for the packet held on probation.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <map>
#include <optional>
#include <utility>

#include "common/FuzzCheck.hpp"
#include "webrtc/rtp/RtpPacket.hpp"
#include "webrtc/rtp/RtpRewriter.hpp"
#include "webrtc/rtp/SeqNum.hpp"
#include "webrtc/rtp/SequenceTracker.hpp"

namespace {

using medicall::webrtc::rtp::RtpPacket;
using medicall::webrtc::rtp::RtpRewriter;
using medicall::webrtc::rtp::SeqNum;
using medicall::webrtc::rtp::SequenceTracker;

constexpr uint32_t kOutputSsrc = 0x0BADCAFE;
constexpr uint32_t kClockRate = 90000;
constexpr int32_t kMaxMisorder = RtpRewriter::kMaxMisorder;           // late packets pass this far back
constexpr int32_t kMaxDropout = SequenceTracker::kDefaultMaxDropout;  // further ahead is a jump
constexpr size_t kWindow = 2000;

int32_t Diff32(uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b); }

struct Sender {
  uint32_t ssrc;
  uint16_t seq;
  uint32_t ts;
  uint16_t last;
};

class Model {
 public:
  Model(uint16_t initialSeq, uint32_t initialTs) : rewriter_(kOutputSsrc, kClockRate, initialSeq, initialTs) {
    highestSeq_ = static_cast<uint16_t>(initialSeq - 1);
    highestTs_ = initialTs;
  }

  void Packet(uint32_t ssrc, uint16_t seq, uint32_t ts, int64_t nowMs) {
    std::array<uint8_t, 16> bytes{0x80, 96};
    bytes[2] = static_cast<uint8_t>(seq >> 8);
    bytes[3] = static_cast<uint8_t>(seq);
    for (int i = 0; i < 4; ++i) {
      bytes[4 + i] = static_cast<uint8_t>(ts >> (24 - 8 * i));
      bytes[8 + i] = static_cast<uint8_t>(ssrc >> (24 - 8 * i));
    }
    auto packet = RtpPacket::Parse(bytes);
    FUZZ_CHECK(packet.has_value());

    const bool switched = !source_ || *source_ != ssrc;
    if (switched) {
      source_ = ssrc;
      srcMax_ = seq;
      runLength_ = 0;
      offset_.reset();
    }
    // The in-order run this packet extends, and whether it started outside the reordering zone.
    if (runLength_ > 0 && seq == static_cast<uint16_t>(prevSeq_ + 1)) {
      ++runLength_;
    } else {
      runLength_ = 1;
      const auto behind = static_cast<uint16_t>(srcMax_ - seq);  // mod 2^16
      runMayResync_ = switched || behind == 0 || behind > kMaxMisorder;
    }
    prevSeq_ = seq;

    const uint32_t packetsBefore = rewriter_.PacketsSent();
    const uint64_t resyncsBefore = rewriter_.Resyncs();
    const bool forwarded = rewriter_.Rewrite(*packet, nowMs);
    FUZZ_TRACE("ssrc %08x seq %u ts %u at %lld ms -> %s seq %u ts %u\n", ssrc, seq, ts,
               static_cast<long long>(nowMs), forwarded ? "sent" : "dropped", packet->SequenceNumber(),
               packet->Timestamp());
    FUZZ_CHECK(rewriter_.PacketsSent() == packetsBefore + (forwarded ? 1 : 0));
    if (switched) FUZZ_CHECK(forwarded);  // the first packet of a source always goes out
    if (runLength_ >= 2 && runMayResync_) {
      FUZZ_CHECK(forwarded);  // forwarding resumes after a jump (RFC 3550 A.1 probation)
    }
    // The highest number as RFC 3550 A.1 has it: moved by a packet less than MAX_DROPOUT ahead, or by
    // the packet that confirmed a jump.
    const auto ahead = static_cast<uint16_t>(seq - srcMax_);
    if (rewriter_.Resyncs() != resyncsBefore || (ahead > 0 && ahead < kMaxDropout)) srcMax_ = seq;
    if (!forwarded) return;

    const uint16_t outSeq = packet->SequenceNumber();
    const uint32_t outTs = packet->Timestamp();
    FUZZ_CHECK(packet->Ssrc() == kOutputSsrc);
    if (switched) {
      FUZZ_CHECK(outSeq == static_cast<uint16_t>(highestSeq_ + 1));
      if (started_) {
        const int64_t elapsedMs = nowMs - highestSentMs_;
        if (elapsedMs < 20'000'000) {  // the tick count fits the 31 bits of "later" in 32-bit arithmetic
          // At least one tick later, and at most the time since the highest packet was sent.
          const int64_t ticks = std::max<int64_t>(1, elapsedMs * kClockRate / 1000);
          FUZZ_CHECK(Diff32(outTs, highestTs_) >= 1 && Diff32(outTs, highestTs_) <= ticks);
        }
      }
    }
    // A fixed offset within a source, unless the rewriter re-based it after a jump: then the packet that
    // confirmed the jump continues after the highest number sent, one number left free for the packet
    // held on probation just before it (seq - 1, which a NACK can fetch from the publisher's cache), and
    // the timestamp offset stays (one SSRC, one RTP timeline).
    const uint16_t seqOffset = static_cast<uint16_t>(outSeq - seq);
    const uint32_t tsOffset = outTs - ts;
    if (offset_ && offset_->first != seqOffset) {
      FUZZ_CHECK(outSeq == static_cast<uint16_t>(highestSeq_ + 2));
      FUZZ_CHECK(rewriter_.ToSourceSequence(static_cast<uint16_t>(outSeq - 1)) ==
                 static_cast<uint16_t>(seq - 1));
    }
    if (offset_) FUZZ_CHECK(offset_->second == tsOffset);
    offset_ = std::make_pair(seqOffset, tsOffset);
    FUZZ_CHECK(rewriter_.ToSourceSequence(outSeq) == seq);

    // One output number, one source packet.
    if (started_ && std::abs(SeqNum::Diff(outSeq, highestSeq_)) > 1000) {
      sent_.clear();
      order_.clear();
    }
    auto [it, inserted] = sent_.emplace(outSeq, std::make_pair(ssrc, seq));
    if (!inserted) {
      FUZZ_CHECK(it->second == std::make_pair(ssrc, seq));
    } else {
      order_.push_back(outSeq);
      if (order_.size() > kWindow) {
        sent_.erase(order_.front());
        order_.pop_front();
      }
    }

    if (!started_ || SeqNum::IsNewer(outSeq, highestSeq_)) {
      highestSeq_ = outSeq;
      highestTs_ = outTs;
      highestSentMs_ = nowMs;
    }
    started_ = true;
    FUZZ_CHECK(rewriter_.HighestSequence() == highestSeq_);
  }

 private:
  RtpRewriter rewriter_;
  std::optional<uint32_t> source_;
  std::optional<std::pair<uint16_t, uint32_t>> offset_;
  uint16_t srcMax_ = 0;
  uint16_t prevSeq_ = 0;
  int runLength_ = 0;
  bool runMayResync_ = false;
  bool started_ = false;
  uint16_t highestSeq_;
  uint32_t highestTs_;
  int64_t highestSentMs_ = 0;
  std::map<uint16_t, std::pair<uint32_t, uint16_t>> sent_;
  std::deque<uint16_t> order_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  Model model(in.ConsumeIntegral<uint16_t>(), in.ConsumeIntegral<uint32_t>());
  std::array<Sender, 3> senders{};
  for (Sender& s : senders) {
    s.ssrc = in.ConsumeIntegral<uint32_t>();
    s.seq = in.ConsumeIntegral<uint16_t>();
    s.ts = in.ConsumeIntegral<uint32_t>();
    s.last = s.seq;
  }
  size_t current = 0;
  int64_t nowMs = 1000;
  auto send = [&](Sender& s, uint16_t seq) {
    model.Packet(s.ssrc, seq, s.ts + static_cast<uint32_t>(static_cast<uint16_t>(seq - s.seq)) * 3000, nowMs);
    s.last = seq;
  };
  for (int ops = 0; ops < 3000 && in.remaining_bytes() > 0; ++ops) {
    Sender& s = senders[current];
    switch (in.ConsumeIntegralInRange<int>(0, 9)) {
      case 0:
      case 1:  // the next packet
        send(s, s.last = static_cast<uint16_t>(s.last + 1));
        break;
      case 2:  // loss
        send(s, static_cast<uint16_t>(s.last + in.ConsumeIntegralInRange<int>(2, 200)));
        break;
      case 3: {  // reordering or a late retransmission (does not move the sender on)
        const uint16_t keep = s.last;
        send(s, static_cast<uint16_t>(s.last - in.ConsumeIntegralInRange<int>(1, 150)));
        s.last = keep;
        break;
      }
      case 4:  // a duplicate
        send(s, s.last);
        break;
      case 5:  // the sender jumps by any amount (a restart keeping the SSRC)
        send(s, static_cast<uint16_t>(s.last + in.ConsumeIntegral<uint16_t>()));
        break;
      case 6:  // the forwarded source changes (publisher switch)
        current = in.ConsumeIntegralInRange<size_t>(0, senders.size() - 1);
        break;
      case 7:  // a new SSRC for this sender
        s.ssrc = in.ConsumeIntegral<uint32_t>();
        break;
      case 8:
      case 9:  // time passes
        nowMs += in.ConsumeIntegralInRange<int64_t>(0, in.ConsumeBool() ? 40 : 100'000);
        break;
    }
  }
  return 0;
}
