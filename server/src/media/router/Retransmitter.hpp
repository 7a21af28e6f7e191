#pragma once
// Which NACKed packets of one outgoing stream are resent (RFC 4585 section 6.2.1 generic NACK), so that
// a NACK cannot amplify: every output sequence number remembers when it was last resent and how often.
// A number is resent at most once per NACK (a NACK may name it many times), not again within one
// round-trip time of the last resend (the first copy may still be on its way), and at most
// kMaxPerPacket times in all. The round-trip time comes from the subscriber's receiver reports about our
// sender reports (RFC 3550 section 6.4.1, LSR/DLSR); until one arrives kDefaultRttUs is assumed.
// The byte budget of the whole subscriber is RtxBudget's. Fixed memory, no allocation.
#include <array>
#include <cstddef>
#include <cstdint>

namespace medicall::media::router {

class Retransmitter {
 public:
  static constexpr std::size_t kSlots = 512;            // as many as the publisher's packet cache holds
  static constexpr int64_t kDefaultRttUs = 100'000;     // until a receiver report gives the real one
  static constexpr int64_t kMinRttUs = 5'000;           // floor for the "resent within one RTT" test
  static constexpr int64_t kMaxRttUs = 1'000'000;       // a larger measurement is taken as this
  static constexpr uint8_t kMaxPerPacket = 4;           // resends of one packet, ever
  static constexpr int64_t kForgetAfterUs = 3'000'000;  // older history is dropped (the cache keeps 1 s)

  enum class Verdict : uint8_t {
    kSend,       // go ahead (then call Resent when it went out)
    kDuplicate,  // named again in the same NACK
    kTooSoon,    // resent less than one RTT ago
    kTooMany,    // resent kMaxPerPacket times already
  };

  // A NACK starts: the numbers it names are deduplicated from here on.
  void BeginNack() {
    if (++nack_ == 0) nack_ = 1;
  }
  // May output sequence number `seq` be resent at nowUs? Marks it as seen in the current NACK.
  Verdict Check(uint16_t seq, int64_t nowUs);
  // `seq` was resent at nowUs.
  void Resent(uint16_t seq, int64_t nowUs);

  // A report block about our stream arrived at `arrivalCompact` (compact NTP of our wall clock).
  void OnReportBlock(uint32_t lastSr, uint32_t delaySinceLastSr, uint32_t arrivalCompact);
  int64_t RttUs() const { return rttUs_; }
  bool HasRtt() const { return hasRtt_; }

 private:
  struct Slot {
    uint16_t seq = 0;
    bool used = false;
    uint8_t count = 0;
    uint32_t nack = 0;
    int64_t firstUs = 0;
    int64_t resentAtUs = 0;
  };
  Slot& SlotFor(uint16_t seq, int64_t nowUs);

  std::array<Slot, kSlots> slots_{};
  uint32_t nack_ = 0;
  int64_t rttUs_ = kDefaultRttUs;
  bool hasRtt_ = false;
};

}  // namespace medicall::media::router
