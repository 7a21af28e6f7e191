// libFuzzer target: STUN parsing (RFC 8489) and every accessor, plus a re-serialisation of what
// was understood. Nothing may read past the input or crash.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "webrtc/stun/StunMessage.hpp"
#include "webrtc/stun/StunWriter.hpp"

using namespace medicall::webrtc::stun;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> input(data, size);
  (void)StunMessage::LooksLikeStun(input);
  auto m = StunMessage::Parse(input);
  if (!m) return 0;
  (void)m->Method();
  (void)m->Class();
  auto user = m->Username();
  auto priority = m->Priority();
  auto controlling = m->IceControlling();
  (void)m->IceControlled();
  auto mapped = m->XorMappedAddress();
  (void)m->MappedAddress();
  auto error = m->ErrorCode();
  (void)m->UnknownAttributes();
  (void)m->Software();
  (void)m->CheckMessageIntegrity("VOkJxbRl1RmTxUk/WvJxBt");
  (void)m->CheckFingerprint();
  for (const auto& a : m->Attributes()) (void)m->Value(a);

  std::array<uint8_t, 1500> out{};
  StunWriter w(out, m->Method(), m->Class(), m->TransactionId());
  if (user) w.AddString(attr::kUsername, *user);
  if (priority) w.AddU32(attr::kPriority, *priority);
  if (controlling) w.AddU64(attr::kIceControlling, *controlling);
  if (m->HasUseCandidate()) w.AddFlag(attr::kUseCandidate);
  if (mapped) w.AddXorAddress(attr::kXorMappedAddress, *mapped);
  if (error) w.AddErrorCode(error->code, error->reason);
  w.AddUnknownAttributes(m->UnknownRequired());
  w.AddMessageIntegrity("key").AddFingerprint();
  if (w.Ok()) {
    auto again = StunMessage::Parse(w.Bytes());
    if (!again || !again->CheckFingerprint() || !again->CheckMessageIntegrity("key")) __builtin_trap();
    if (mapped && again->XorMappedAddress() != mapped) __builtin_trap();
  }
  return 0;
}
