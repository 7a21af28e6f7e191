#pragma once
// Where a MeetingQualityRecorder's rows go. The application's sink posts them to the StoreExecutor
// (store writes never run on the signaling thread); tests collect them.
#include <vector>

#include "store/QualityStore.hpp"

namespace medicall::quality {

class QualitySink {
 public:
  virtual ~QualitySink() = default;
  virtual void WriteSamples(std::vector<store::QualitySample> samples) = 0;
  virtual void WriteEvent(store::QualityEvent event) = 0;
};

}  // namespace medicall::quality
