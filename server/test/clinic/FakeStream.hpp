#pragma once
// An event stream for tests: keeps what was sent until it is closed.
#include <string>
#include <vector>

#include "common/HttpTypes.hpp"

namespace medicall::clinic::test {

class FakeStream final : public ResponseStream {
 public:
  void Send(std::string bytes) override {
    if (!closed) sent.push_back(std::move(bytes));
  }
  bool Closed() const override { return closed; }
  void Close() override { closed = true; }
  // True when some event sent contains `text`.
  bool Got(const std::string& text) const {
    for (const auto& s : sent)
      if (s.find(text) != std::string::npos) return true;
    return false;
  }
  std::vector<std::string> sent;
  bool closed = false;
};

}  // namespace medicall::clinic::test
