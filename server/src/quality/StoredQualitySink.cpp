#include "quality/StoredQualitySink.hpp"

#include "common/Logger.hpp"

namespace medicall::quality {

void StoredQualitySink::WriteSamples(std::vector<store::QualitySample> samples) {
  executor_.Post([this, samples = std::move(samples)] {
    try {
      store_.InsertSamples(samples);
    } catch (const std::exception& e) {
      log::Warn("quality", "samples not stored: {}", e.what());
    }
  });
}

void StoredQualitySink::WriteEvent(store::QualityEvent event) {
  executor_.Post([this, event = std::move(event)] {
    try {
      store_.InsertEvent(event);
    } catch (const std::exception& e) {
      log::Warn("quality", "event not stored: {}", e.what());
    }
  });
}

}  // namespace medicall::quality
