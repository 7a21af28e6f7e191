#pragma once
// Validation of one RTP stream's sequence numbers, RFC 3550 appendix A.1
// (https://www.rfc-editor.org/rfc/rfc3550#appendix-A.1): a packet up to maxDropout ahead of the highest
// one is in order (the numbers between are loss), one up to maxMisorder behind is late (reordered or
// repaired), and anything else is a jump. A jump is not believed at once: it is put on probation, and
// only when the very next packet follows it (jump + 1) does the tracker resynchronise on the new numbers,
// as when a sender restarts its numbering without changing SSRC. A single stray number never moves the
// base, and a real jump of any size (even above 2^15) is followed within two packets.
#include <cstdint>
#include <optional>

namespace medicall::webrtc::rtp {

class SequenceTracker {
 public:
  static constexpr int32_t kDefaultMaxDropout = 3000;  // RFC 3550 A.1 MAX_DROPOUT
  static constexpr int32_t kDefaultMaxMisorder = 100;  // RFC 3550 A.1 MAX_MISORDER

  enum class Result : uint8_t {
    kFirst,      // the first packet: it is the highest
    kNewer,      // in order (Gap() packets skipped before it): it is the highest
    kDuplicate,  // the same number as the highest
    kLate,       // behind the highest, within maxMisorder
    kProbation,  // a jump: not accepted (yet)
    kResynced,   // follows the packet on probation: the base moved, this is the highest
  };

  explicit SequenceTracker(int32_t maxDropout = kDefaultMaxDropout, int32_t maxMisorder = kDefaultMaxMisorder)
      : maxDropout_(maxDropout), maxMisorder_(maxMisorder) {}

  Result Update(uint16_t seq);
  void Reset() {
    highest_.reset();
    probation_.reset();
    gap_ = 0;
  }
  bool Started() const { return highest_.has_value(); }
  uint16_t Highest() const { return highest_.value_or(0); }
  // Packets skipped by the last kNewer result (0 otherwise).
  int32_t Gap() const { return gap_; }

 private:
  int32_t maxDropout_;
  int32_t maxMisorder_;
  std::optional<uint16_t> highest_;
  std::optional<uint16_t> probation_;  // the number that would confirm the jump
  int32_t gap_ = 0;
};

}  // namespace medicall::webrtc::rtp
