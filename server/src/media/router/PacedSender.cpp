#include "media/router/PacedSender.hpp"

#include <algorithm>
#include <cstring>

#include "common/Bytes.hpp"
#include "media/router/ExtensionTranslator.hpp"
#include "media/router/RouterPeer.hpp"
#include "net/MediaWorker.hpp"

namespace medicall::media::router {

PacedSender::PacedSender(RouterPeer& peer, net::MediaWorker& worker, RouterContext& context)
    : peer_(peer), worker_(worker), context_(context), timer_(worker.Context()) {}

PacedSender::~PacedSender() {
  alive_.Kill();
  try {
    timer_.cancel();
  } catch (...) {
    // The handler checks the token; nothing else to do in a destructor.
  }
}

void PacedSender::Stop() {
  stopped_ = true;
  alive_.Kill();
  timer_.cancel();
}

bool PacedSender::Transmit(std::span<uint8_t> packet, size_t size, SendTimeFields fields, int clusterId,
                           int64_t nowUs) {
  if (fields.transportSequence != 0 && fields.transportSequence + 2u <= size)
    WriteU16(packet.data() + fields.transportSequence, peer_.NextTransportSequence(size, nowUs, clusterId));
  if (fields.absSendTime != 0 && fields.absSendTime + 3u <= size)
    WriteU24(packet.data() + fields.absSendTime, ExtensionTranslator::AbsSendTime(nowUs));
  return peer_.Transport().SendRtp(packet, size);
}

bool PacedSender::Send(Kind kind, std::span<uint8_t> packet, size_t size, SendTimeFields fields,
                       int64_t nowUs) {
  if (stopped_) return false;
  // While a probe runs, media leaves as part of it (the cluster's rate is the total): it queues.
  if ((kind == Kind::kAudio || !prober_.Active(nowUs)) && pacer_.TrySend(kind, size, nowUs))
    return Transmit(packet, size, fields, -1, nowUs);
  const size_t ring = Ring(kind);
  const uint32_t index = writeIndex_[ring];
  if (size > RouterContext::kBufferSize || !pacer_.Enqueue(kind, index, size, nowUs)) {
    ++counters_.dropped;
    ++context_.stats.pacerDropped;
    return false;
  }
  if (!rings_[ring]) rings_[ring] = std::make_unique<Slot[]>(bwe::Pacer::kQueueCapacity);  // once
  Slot& slot = rings_[ring][index];
  std::memcpy(slot.data.data(), packet.data(), size);
  slot.size = static_cast<uint16_t>(size);
  slot.fields = fields;
  writeIndex_[ring] = (index + 1) % bwe::Pacer::kQueueCapacity;
  ++counters_.queued;
  ++context_.stats.pacerQueued;
  Schedule(kIntervalUs);
  return true;
}

bool PacedSender::TransmitQueued(const bwe::Pacer::Entry& e, int clusterId, int64_t nowUs) {
  // The pacer's queues and the rings are both FIFO per kind: the entry's id is its slot.
  Slot& slot = rings_[Ring(e.kind)][e.id];
  counters_.maxWaitUs = std::max(counters_.maxWaitUs, nowUs - e.enqueuedUs);
  ++context_.stats.pacerSent;
  return Transmit(slot.data, slot.size, slot.fields, clusterId, nowUs);
}

void PacedSender::SetPaddingBitrate(uint64_t bps) {
  paddingBps_ = bps;
  if (bps != 0) Schedule(kIntervalUs);
}

void PacedSender::Probe(uint64_t bps, int64_t nowUs) {
  if (stopped_ || prober_.CreateCluster(bps, nowUs) == bwe::BitrateProber::kNoCluster) return;
  ++counters_.probeClusters;
  ++context_.stats.probeClusters;
  Schedule(0);
}

void PacedSender::Schedule(int64_t delayUs) {
  if (armed_ || stopped_) return;
  armed_ = true;
  timer_.expires_after(std::chrono::microseconds(delayUs));
  timer_.async_wait([this, watch = alive_.Observe()](const boost::system::error_code& ec) {
    if (ec || !watch.Alive()) return;
    armed_ = false;
    worker_.Guard("pacer", [this] { Process(); });
  });
}

void PacedSender::Process() {
  if (stopped_) return;
  const int64_t nowUs = context_.clock.NowUs();
  std::span<uint8_t> scratch = peer_.PaddingScratch();
  // A probe first: queued media at the cluster's rate, padding for the rest.
  if (prober_.Active(nowUs)) {
    size_t due = prober_.BytesDue(nowUs);
    while (due > 0) {
      const int cluster = prober_.ClusterId();
      size_t sent = 0;
      if (auto e = pacer_.PopForProbe(nowUs)) {
        if (TransmitQueued(*e, cluster, nowUs)) sent = e->size;
      } else {
        sent = peer_.SendPadding(std::clamp(due, kMinPaddingPerPacket, kMaxPaddingPerPacket), cluster, nowUs,
                                 scratch);
        if (sent == 0) break;  // nothing can carry padding now: the cluster times out
        ++counters_.paddingPackets;
        ++context_.stats.paddingPackets;
        pacer_.OnPadding(sent);
      }
      if (sent == 0) continue;  // the transport refused a queued packet: try the next
      ++counters_.probePackets;
      ++context_.stats.probePackets;
      prober_.OnProbeSent(sent, nowUs);
      due -= std::min(due, sent);
      if (prober_.ClusterId() != cluster) break;  // done: the next cluster starts on its own schedule
    }
  }
  while (auto e = pacer_.Pop(nowUs)) TransmitQueued(*e, -1, nowUs);
  if (paddingBps_ != 0) {
    size_t owed = pacer_.PaddingBytes(paddingBps_, nowUs);
    while (owed > 0) {
      const size_t sent =
          peer_.SendPadding(std::clamp(owed, kMinPaddingPerPacket, kMaxPaddingPerPacket), -1, nowUs, scratch);
      if (sent == 0) break;
      ++counters_.paddingPackets;
      ++context_.stats.paddingPackets;
      pacer_.OnPadding(sent);
      owed -= std::min(owed, sent);
    }
  }
  if (prober_.Active(nowUs)) {
    Schedule(kProbeIntervalUs);
  } else if (pacer_.QueuedTotal() != 0 || paddingBps_ != 0) {
    Schedule(kIntervalUs);
  }
}

}  // namespace medicall::media::router
