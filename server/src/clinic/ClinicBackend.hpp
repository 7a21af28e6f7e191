#pragma once
// Where the clinic keeps its state, chosen the same way by the server and by `medicall user|audit`:
// RedisClinicStore when MEDICALL_REDIS_URL is set (every node of a cluster shares accounts, visits,
// waiting rooms, sessions and the audit chain), else SqliteClinicStore in the data directory.
#include <memory>

#include "clinic/LinkSigner.hpp"
#include "common/Config.hpp"
#include "store/ClinicStore.hpp"

namespace medicall::clinic {

class ClinicBackend {
 public:
  // Throws std::runtime_error for a bad MEDICALL_REDIS_URL (naming the setting) or an unusable
  // data directory. Does not connect to Redis: the first request does.
  static std::unique_ptr<store::ClinicStore> OpenStore(const Config& config);
  // The visit-link signer: the data directory's key file without Redis; with it, the key shared in
  // Redis (the first node's random key), fetched at first use.
  static LinkSigner OpenLinks(const Config& config, store::ClinicStore& store);
};

}  // namespace medicall::clinic
