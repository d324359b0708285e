// Runs a libuv loop until a condition holds or a time limit passes, for the tests that drive a
// loop by hand (the in-process server's fixture and the upstream tests' bare loop alike).
#pragma once

#include <uv.h>

#include <chrono>
#include <functional>

namespace closewise::testing {

// Runs `loop` one iteration at a time until `pred` holds (true) or `limit` passes (false). A
// ticker wakes the loop every 5 ms, so a condition that changes without a libuv event (another
// thread, a process) is still seen; a guard timer ends the wait, so a test never hangs on it.
bool runLoopUntil(uv_loop_t& loop, const std::function<bool()>& pred,
                  std::chrono::milliseconds limit);

}  // namespace closewise::testing
