// SRTP protect / unprotect cost per 1200-byte RTP packet, for both DTLS-SRTP profiles.
// Run: build/<dir>/bench/srtp/bench_srtp  (one core; Debian's libsrtp2 is built on NSS).
#include <benchmark/benchmark.h>

#include <vector>

#include "common/LibraryInit.hpp"
#include "webrtc/srtp/SrtpSession.hpp"

namespace {

using medicall::webrtc::srtp::SrtpProfile;
using medicall::webrtc::srtp::SrtpSession;

constexpr size_t kPayload = 1200;

std::vector<uint8_t> Key() { return std::vector<uint8_t>(16, 0x5a); }
std::vector<uint8_t> Salt(SrtpProfile p) {
  return std::vector<uint8_t>(medicall::webrtc::srtp::SrtpSaltLength(p), 0xa5);
}

void MakeRtp(std::vector<uint8_t>& buf, uint16_t seq) {
  buf[0] = 0x80;
  buf[1] = 96;
  buf[2] = static_cast<uint8_t>(seq >> 8);
  buf[3] = static_cast<uint8_t>(seq);
  buf[8] = 0x12;
  buf[11] = 0x34;
}

void BmProtect(benchmark::State& state, SrtpProfile profile) {
  medicall::InitLibraries();
  auto tx = SrtpSession::Create(SrtpSession::Direction::Outbound, profile, Key(), Salt(profile));
  std::vector<uint8_t> buf(kPayload + medicall::webrtc::srtp::kSrtpMaxTrailerLength, 0x33);
  uint16_t seq = 0;
  for (auto _ : state) {
    MakeRtp(buf, seq++);
    size_t len = kPayload;
    if (!tx->ProtectRtp(buf, len)) state.SkipWithError("protect failed");
    benchmark::DoNotOptimize(buf.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kPayload));
}

void BmUnprotect(benchmark::State& state, SrtpProfile profile) {
  medicall::InitLibraries();
  auto tx = SrtpSession::Create(SrtpSession::Direction::Outbound, profile, Key(), Salt(profile));
  // Pre-protect a ring of packets so the timed loop only unprotects; a fresh inbound session per
  // pass over the ring keeps the replay window happy.
  constexpr size_t kRing = 4096;
  std::vector<std::vector<uint8_t>> ring(kRing);
  std::vector<size_t> lengths(kRing);
  for (size_t i = 0; i < kRing; ++i) {
    ring[i].assign(kPayload + medicall::webrtc::srtp::kSrtpMaxTrailerLength, 0x33);
    MakeRtp(ring[i], static_cast<uint16_t>(i));
    lengths[i] = kPayload;
    tx->ProtectRtp(ring[i], lengths[i]);
  }
  std::vector<uint8_t> work(ring[0].size());
  std::unique_ptr<SrtpSession> rx;
  size_t i = kRing;
  for (auto _ : state) {
    if (i == kRing) {
      state.PauseTiming();
      rx = SrtpSession::Create(SrtpSession::Direction::Inbound, profile, Key(), Salt(profile));
      i = 0;
      state.ResumeTiming();
    }
    std::copy(ring[i].begin(), ring[i].begin() + static_cast<long>(lengths[i]), work.begin());
    size_t len = 0;
    if (!rx->UnprotectRtp(std::span<uint8_t>(work.data(), lengths[i]), len))
      state.SkipWithError("unprotect failed");
    benchmark::DoNotOptimize(work.data());
    ++i;
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kPayload));
}

BENCHMARK_CAPTURE(BmProtect, AEAD_AES_128_GCM, SrtpProfile::AeadAes128Gcm);
BENCHMARK_CAPTURE(BmProtect, AES_CM_128_HMAC_SHA1_80, SrtpProfile::AesCm128HmacSha1_80);
BENCHMARK_CAPTURE(BmUnprotect, AEAD_AES_128_GCM, SrtpProfile::AeadAes128Gcm);
BENCHMARK_CAPTURE(BmUnprotect, AES_CM_128_HMAC_SHA1_80, SrtpProfile::AesCm128HmacSha1_80);

}  // namespace

BENCHMARK_MAIN();
