#include "tests/upstream/loop_fixture.h"

#include <catch2/catch.hpp>
#include <cstdint>

namespace closewise::testing {

LoopFixture::LoopFixture() {
  REQUIRE(uv_loop_init(&loop_) == 0);
}

LoopFixture::~LoopFixture() {
  uv_run(&loop_, UV_RUN_DEFAULT);
  const int rc = uv_loop_close(&loop_);
  if (rc != 0) {
    uv_walk(
        &loop_,
        [](uv_handle_t* handle, void*) {
          UNSCOPED_INFO("open handle: " << uv_handle_type_name(uv_handle_get_type(handle)));
          if (!uv_is_closing(handle)) uv_close(handle, nullptr);
        },
        nullptr);
    uv_run(&loop_, UV_RUN_DEFAULT);
    uv_loop_close(&loop_);
  }
  CHECK(rc == 0);
}

bool LoopFixture::runUntil(const std::function<bool()>& pred, std::chrono::milliseconds limit) {
  if (pred()) return true;
  bool expired = false;
  uv_timer_t guard{};
  uv_timer_t ticker{};
  uv_timer_init(&loop_, &guard);
  uv_timer_init(&loop_, &ticker);
  guard.data = &expired;
  uv_timer_start(
      &guard, [](uv_timer_t* t) { *static_cast<bool*>(t->data) = true; },
      static_cast<std::uint64_t>(limit.count()), 0);
  uv_timer_start(
      &ticker, [](uv_timer_t*) {}, 5, 5);
  bool ok = false;
  while (!(ok = pred()) && !expired) uv_run(&loop_, UV_RUN_ONCE);
  uv_close(reinterpret_cast<uv_handle_t*>(&guard), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&ticker), nullptr);
  uv_run(&loop_, UV_RUN_NOWAIT);  // the close callbacks: the timers live on this stack
  return ok;
}

void LoopFixture::runFor(std::chrono::milliseconds duration) {
  runUntil([] { return false; }, duration);
}

}  // namespace closewise::testing
