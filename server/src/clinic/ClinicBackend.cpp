#include "clinic/ClinicBackend.hpp"

#include <stdexcept>
#include <vector>

#include "common/Random.hpp"
#include "store/RedisClinicStore.hpp"
#include "store/SqliteClinicStore.hpp"

namespace medicall::clinic {

std::unique_ptr<store::ClinicStore> ClinicBackend::OpenStore(const Config& config) {
  if (config.redisUrl.empty()) return std::make_unique<store::SqliteClinicStore>(config.dataDir);
  // The same endpoint as the meetings store (TLS files included).
  return std::make_unique<store::RedisClinicStore>(*store::RedisEndpoint::FromConfig(config));
}

LinkSigner ClinicBackend::OpenLinks(const Config& config, store::ClinicStore& store) {
  auto* redis = dynamic_cast<store::RedisClinicStore*>(&store);
  if (redis == nullptr) return LinkSigner(config.dataDir);
  return LinkSigner::FromSource([redis] {
    std::vector<uint8_t> candidate(32);
    random::Fill(candidate);
    return redis->SharedLinkKey(std::string(candidate.begin(), candidate.end()));
  });
}

}  // namespace medicall::clinic
