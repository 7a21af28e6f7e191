#pragma once
// The application's QualitySink: each write is posted to the StoreExecutor (the disk never holds up
// the signaling thread) and done there on the QualityStore. A failed write is logged and lost: the
// figures are for the report, nobody waits for them.
#include "quality/QualitySink.hpp"
#include "store/QualityStore.hpp"
#include "store/StoreExecutor.hpp"

namespace medicall::quality {

class StoredQualitySink final : public QualitySink {
 public:
  StoredQualitySink(store::QualityStore& store, store::StoreExecutor& executor)
      : store_(store), executor_(executor) {}
  void WriteSamples(std::vector<store::QualitySample> samples) override;
  void WriteEvent(store::QualityEvent event) override;

 private:
  store::QualityStore& store_;
  store::StoreExecutor& executor_;
};

}  // namespace medicall::quality
