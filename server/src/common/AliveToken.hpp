#pragma once
// The "alive token" idiom, once: an object that posts callbacks to a loop it does not own (timers,
// Post()) hands them an Observe(); the callback runs its body only if the owner still exists. The owner
// holds an AliveToken member (destroyed with it), so no callback can reach a destroyed object.
//
//   AliveToken alive_;
//   worker.Post([this, watch = alive_.Observe()] { if (!watch.Alive()) return; ... });
#include <memory>

namespace medicall {

class AliveToken {
 public:
  class Watch {
   public:
    bool Alive() const { return !weak_.expired(); }

   private:
    friend class AliveToken;
    explicit Watch(std::weak_ptr<void> weak) : weak_(std::move(weak)) {}
    std::weak_ptr<void> weak_;
  };

  AliveToken() : token_(std::make_shared<char>(0)) {}
  AliveToken(const AliveToken&) = delete;
  AliveToken& operator=(const AliveToken&) = delete;

  Watch Observe() const { return Watch(token_); }
  // Invalidates every outstanding Watch now (before the owner's destructor runs to completion).
  void Kill() { token_.reset(); }

 private:
  std::shared_ptr<void> token_;
};

}  // namespace medicall
