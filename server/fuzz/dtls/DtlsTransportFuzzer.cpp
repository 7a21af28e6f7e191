// dtls_fuzzer: webrtc/dtls/DtlsTransport between a real client and a real server in memory, with the
// network in the fuzzer's hands: each step delivers, drops, duplicates, reorders, truncates or corrupts
// the next datagram of either direction, injects datagrams made of input bytes into either side, fires
// a retransmission timer, sends application data or closes a side. The remote fingerprint may be wrong.
// Checked:
//   - states only move forward: New -> Connecting -> Connected | Failed | Closed, Connected -> Closed |
//     Failed, Failed -> Closed only by a local Close(); keys come once, right before Connected;
//   - every datagram a transport emits is whole DTLS records (content type 20..63, RFC 7983; lengths
//     that tile the datagram) and no larger than the MTU;
//   - a side that expects another fingerprint never connects; when both connect they hold the same
//     keys and profile, with opposite roles;
//   - application data received is exactly some data the peer sent (the record MAC holds);
//   - on a network that only delivers (duplicates allowed; no loss, reordering, corruption or injection)
//     the handshake completes.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/FuzzCheck.hpp"
#include "common/LibraryInit.hpp"
#include "common/Logger.hpp"
#include "webrtc/dtls/DtlsCertificate.hpp"
#include "webrtc/dtls/DtlsTransport.hpp"

namespace {

using namespace medicall::webrtc::dtls;
using Bytes = std::vector<uint8_t>;

std::shared_ptr<DtlsCertificate> gClientCert;
std::shared_ptr<DtlsCertificate> gServerCert;
std::shared_ptr<DtlsCertificate> gOtherCert;

struct Side final : DtlsTransport::Listener {
  Side(const char* name, size_t mtu) : name(name), mtu(mtu) {}
  void OnDtlsSend(std::span<const uint8_t> d) override {
    FUZZ_TRACE("%s sends %zu bytes (type %u, mtu %zu)\n", name, d.size(), d.empty() ? 0u : d[0], mtu);
    FUZZ_CHECK(d.size() >= 13 && d.size() <= mtu);
    // Whole records, one after another (a record never spans datagrams, RFC 6347 section 4.1.1).
    size_t at = 0;
    while (at < d.size()) {
      FUZZ_CHECK(d.size() - at >= 13 && d[at] >= 20 && d[at] <= 63);
      const size_t length = static_cast<size_t>(d[at + 11]) << 8 | d[at + 12];
      FUZZ_TRACE("  record type %u epoch %u, %zu bytes\n", d[at], d[at + 3] << 8 | d[at + 4], length);
      at += 13 + length;
    }
    FUZZ_CHECK(at == d.size());
    outbox.emplace_back(d.begin(), d.end());
  }
  void OnDtlsStateChange(DtlsState s, std::string_view) override {
    const DtlsState from = state;
    switch (s) {
      case DtlsState::New:
        FUZZ_CHECK(false);
        break;
      case DtlsState::Connecting:
        FUZZ_CHECK(from == DtlsState::New);
        break;
      case DtlsState::Connected:
        FUZZ_CHECK(from == DtlsState::Connecting && keysPending);
        keysPending = false;
        break;
      case DtlsState::Failed:
        FUZZ_CHECK(from == DtlsState::New || from == DtlsState::Connecting || from == DtlsState::Connected);
        break;
      case DtlsState::Closed:
        FUZZ_CHECK(from != DtlsState::Failed || closingLocally);
        break;
    }
    FUZZ_CHECK(!keysPending || s == DtlsState::Connected);
    FUZZ_TRACE("%s: %s\n", name, std::string(DtlsStateName(s)).c_str());
    state = s;
  }
  void OnDtlsSrtpKeys(const DtlsSrtpKeys& k) override {
    FUZZ_CHECK(!keys.has_value() && state == DtlsState::Connecting);
    keys = k;
    keysPending = true;
  }
  void OnDtlsApplicationData(std::span<const uint8_t> d) override {
    FUZZ_CHECK(peerSent != nullptr && peerSent->count(Bytes(d.begin(), d.end())) == 1);
    ++received;
  }

  const char* name;
  size_t mtu;
  DtlsState state = DtlsState::New;
  bool keysPending = false;
  bool closingLocally = false;
  std::optional<DtlsSrtpKeys> keys;
  std::deque<Bytes> outbox;
  std::set<Bytes> sent;
  const std::set<Bytes>* peerSent = nullptr;
  size_t received = 0;
};

bool SameKeys(const DtlsSrtpKeys& a, const DtlsSrtpKeys& b) {
  return a.profile == b.profile && a.clientKey == b.clientKey && a.serverKey == b.serverKey &&
         a.clientSalt == b.clientSalt && a.serverSalt == b.serverSalt && a.weAreClient != b.weAreClient;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  medicall::log::SetLevel(medicall::log::Level::Off);
  medicall::InitLibraries();
  gClientCert = DtlsCertificate::Generate();
  gServerCert = DtlsCertificate::Generate();
  gOtherCert = DtlsCertificate::Generate();
  if (!gClientCert || !gServerCert || !gOtherCert) __builtin_trap();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  DtlsTransport::Options options;
  options.mtu = in.ConsumeBool() ? 1200 : in.ConsumeIntegralInRange<size_t>(256, 1500);
  if (in.ConsumeBool()) options.srtpProfiles = {medicall::webrtc::srtp::SrtpProfile::AesCm128HmacSha1_80};
  const bool clientTrusts = in.ConsumeIntegralInRange<int>(0, 7) != 0;
  const bool serverTrusts = in.ConsumeIntegralInRange<int>(0, 7) != 0;

  Side client("client", options.mtu), server("server", options.mtu);
  client.peerSent = &server.sent;
  server.peerSent = &client.sent;
  DtlsTransport c(gClientCert, client, options);
  DtlsTransport s(gServerCert, server, options);
  FUZZ_CHECK(c.SetRemoteFingerprint("sha-256", (clientTrusts ? gServerCert : gOtherCert)->Fingerprint()));
  FUZZ_CHECK(s.SetRemoteFingerprint("sha-256", (serverTrusts ? gClientCert : gOtherCert)->Fingerprint()));
  FUZZ_CHECK(s.Start(DtlsRole::Server));
  FUZZ_CHECK(c.Start(DtlsRole::Client));
  FUZZ_CHECK(!c.Start(DtlsRole::Client));  // only once

  bool clean = true;  // the network has only delivered so far

  for (int ops = 0; ops < 200 && in.remaining_bytes() > 0; ++ops) {
    const bool toServer = in.ConsumeBool();
    Side& from = toServer ? client : server;
    DtlsTransport& to = toServer ? s : c;
    DtlsTransport& self = toServer ? c : s;
    const int op = in.ConsumeIntegralInRange<int>(0, 9);
    FUZZ_TRACE("step %d: op %d from the %s (%zu queued)\n", ops, op, from.name, from.outbox.size());
    switch (op) {
      case 0:
      case 1:
      case 2:  // deliver the next datagram
        if (!from.outbox.empty()) {
          Bytes d = std::move(from.outbox.front());
          from.outbox.pop_front();
          to.HandleDatagram(d);
        }
        break;
      case 3:  // drop it
        if (!from.outbox.empty()) {
          from.outbox.pop_front();
          clean = false;
        }
        break;
      case 4:  // deliver a copy and keep it queued (a duplicate)
        if (!from.outbox.empty()) to.HandleDatagram(Bytes(from.outbox.front()));
        break;
      case 5:  // reorder: the last queued goes first
        if (from.outbox.size() > 1) {
          std::rotate(from.outbox.begin(), from.outbox.end() - 1, from.outbox.end());
          clean = false;  // a record of the next epoch ahead of its flight may need a retransmission
        }
        break;
      case 6:  // corrupt or truncate the next datagram
        if (!from.outbox.empty() && !from.outbox.front().empty()) {
          Bytes& d = from.outbox.front();
          const size_t at = in.ConsumeIntegralInRange<size_t>(0, d.size() - 1);
          if (in.ConsumeBool()) {
            d[at] ^= static_cast<uint8_t>(1 | in.ConsumeIntegral<uint8_t>());
          } else {
            d.resize(at);
          }
          clean = false;
        }
        break;
      case 7: {  // a datagram made of input bytes
        Bytes d = in.ConsumeBytes<uint8_t>(in.ConsumeIntegralInRange<size_t>(0, 1600));
        if (!d.empty() && in.ConsumeBool()) d[0] = static_cast<uint8_t>(20 + d[0] % 44);
        to.HandleDatagram(d);
        clean = false;
        break;
      }
      case 8:  // a retransmission timer fires
        self.HandleTimeout();
        break;
      case 9:
        if (in.ConsumeIntegralInRange<int>(0, 3) == 0) {  // a side closes
          Side& side = toServer ? client : server;
          side.closingLocally = true;
          self.Close();
          side.closingLocally = false;
          clean = false;
        } else {  // application data
          Side& side = toServer ? client : server;
          Bytes d = in.ConsumeBytes<uint8_t>(in.ConsumeIntegralInRange<size_t>(1, 64));
          if (d.empty()) d.push_back(0);
          side.sent.insert(d);
          FUZZ_CHECK(self.SendApplicationData(d) == (self.State() == DtlsState::Connected));
        }
        break;
    }
  }

  // A network that only delivered: let it deliver everything; both sides must connect.
  if (clean && clientTrusts && serverTrusts) {
    for (int round = 0; round < 20 && (!client.outbox.empty() || !server.outbox.empty()); ++round) {
      while (!client.outbox.empty()) {
        Bytes d = std::move(client.outbox.front());
        client.outbox.pop_front();
        s.HandleDatagram(d);
      }
      while (!server.outbox.empty()) {
        Bytes d = std::move(server.outbox.front());
        server.outbox.pop_front();
        c.HandleDatagram(d);
      }
    }
    FUZZ_CHECK(c.State() == DtlsState::Connected && s.State() == DtlsState::Connected);
  }
  FUZZ_CHECK(client.state == c.State() && server.state == s.State());
  if (!clientTrusts) FUZZ_CHECK(!client.keys.has_value());
  if (!serverTrusts) FUZZ_CHECK(!server.keys.has_value());
  if (client.keys && server.keys) FUZZ_CHECK(SameKeys(*client.keys, *server.keys));
  return 0;
}
