// A bare libuv loop for the upstream tests: no server, no admin. runUntil() has a guard timer so
// nothing hangs; the destructor runs the loop dry and requires uv_loop_close() == 0, so a handle
// the pool forgot to close fails the test. Like tests/support/fixture.h, nothing here REQUIREs
// inside a libuv callback.
#pragma once

#include <uv.h>

#include <chrono>
#include <functional>

namespace closewise::testing {

using namespace std::chrono_literals;

class LoopFixture {
 public:
  LoopFixture();
  ~LoopFixture();
  LoopFixture(const LoopFixture&) = delete;
  LoopFixture& operator=(const LoopFixture&) = delete;

  uv_loop_t* loop() noexcept { return &loop_; }
  // Runs the loop until pred() holds or limit passes; returns pred(). A 5 ms ticker re-checks
  // predicates that depend on the kernel rather than on loop events.
  bool runUntil(const std::function<bool()>& pred, std::chrono::milliseconds limit = 5s);
  void runFor(std::chrono::milliseconds duration);

 private:
  uv_loop_t loop_{};
};

}  // namespace closewise::testing
