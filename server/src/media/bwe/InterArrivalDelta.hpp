#pragma once
// Packet groups and their inter-group delay variation, draft-ietf-rmcat-gcc-02 section 5.2
// (https://datatracker.ietf.org/doc/html/draft-ietf-rmcat-gcc-02#section-5.2):
//   d(i) = t(i) - t(i-1) - (T(i) - T(i-1))
// with T the send time and t the arrival time of the last packet of group i. A group is the packets
// sent within burst_time (5 ms) of its first; a packet that arrives less than burst_time after the
// previous one with a negative d is part of the same burst (a queue draining) and joins the group.
// Packets sent before the current group started (reordered) are ignored.
#include <cstddef>
#include <cstdint>

namespace medicall::media::bwe {

class InterArrivalDelta {
 public:
  static constexpr int64_t kBurstUs = 5'000;

  struct Delta {
    int64_t sendDeltaUs = 0;
    int64_t arrivalDeltaUs = 0;
    int64_t arrivalUs = 0;  // of the completed group's last packet
  };

  // One received packet, in send order. True with `out` set when it completed a group that has a
  // predecessor.
  bool OnPacket(int64_t sendUs, int64_t arrivalUs, size_t size, Delta& out);

 private:
  struct Group {
    bool valid = false;
    int64_t firstSendUs = 0;
    int64_t lastSendUs = 0;
    int64_t firstArrivalUs = 0;
    int64_t lastArrivalUs = 0;
    size_t size = 0;
  };
  bool BelongsToCurrent(int64_t sendUs, int64_t arrivalUs) const;

  Group previous_;
  Group current_;
};

}  // namespace medicall::media::bwe
