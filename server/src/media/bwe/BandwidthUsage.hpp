#pragma once
// The over-use detector's signal, draft-ietf-rmcat-gcc-02 section 5.4.
#include <cstdint>

namespace medicall::media::bwe {

enum class BandwidthUsage : uint8_t { kNormal, kUnderusing, kOverusing };

}  // namespace medicall::media::bwe
