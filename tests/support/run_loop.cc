#include "tests/support/run_loop.h"

#include <cstdint>

namespace closewise::testing {

bool runLoopUntil(uv_loop_t& loop, const std::function<bool()>& pred,
                  std::chrono::milliseconds limit) {
  if (pred()) return true;
  bool expired = false;
  uv_timer_t guard{};
  uv_timer_t ticker{};
  uv_timer_init(&loop, &guard);
  uv_timer_init(&loop, &ticker);
  guard.data = &expired;
  uv_timer_start(
      &guard, [](uv_timer_t* t) { *static_cast<bool*>(t->data) = true; },
      static_cast<std::uint64_t>(limit.count()), 0);
  uv_timer_start(
      &ticker, [](uv_timer_t*) {}, 5, 5);
  bool ok = false;
  while (!(ok = pred()) && !expired) uv_run(&loop, UV_RUN_ONCE);
  uv_close(reinterpret_cast<uv_handle_t*>(&guard), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&ticker), nullptr);
  uv_run(&loop, UV_RUN_NOWAIT);  // the close callbacks: the timers live on this stack
  return ok;
}

}  // namespace closewise::testing
