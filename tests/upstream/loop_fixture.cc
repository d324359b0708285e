#include "tests/upstream/loop_fixture.h"

#include <catch2/catch.hpp>
#include <cstdint>

#include "tests/support/run_loop.h"

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
  return runLoopUntil(loop_, pred, limit);
}

void LoopFixture::runFor(std::chrono::milliseconds duration) {
  runUntil([] { return false; }, duration);
}

}  // namespace closewise::testing
