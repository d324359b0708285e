// A control plane's handle on the main loop (the admin view's alert timer) must be closed before
// run() closes that loop, and the stopping hook is where: it runs once, on the main loop, when the
// last worker has finished. run() checks that uv_loop_close() succeeds, so a handle left open is
// exit status 1.
#include <uv.h>

#include <catch2/catch.hpp>
#include <thread>

#include "server/server.h"

using closewise::server::Config;
using closewise::server::ControlSurface;
using closewise::server::ListenAddress;
using closewise::server::Server;

namespace {

// One worker on a free loopback port, no admin listener (none unless one is set), a drain with
// nothing to wait for.
Config quietConfig() {
  Config config;
  config.listen = {ListenAddress{"127.0.0.1", 0}};
  config.drainDelay = std::chrono::milliseconds(0);
  return config;
}

// A timer like the admin view's: unreferenced, so it never keeps the main loop alive on its own,
// and so the loop ends with it still open unless someone closes it.
void openQuietTimer(uv_loop_t* loop, uv_timer_t* timer) {
  REQUIRE(uv_timer_init(loop, timer) == 0);
  uv_unref(reinterpret_cast<uv_handle_t*>(timer));
}

}  // namespace

TEST_CASE("a stopping hook closes its main-loop handle once, on the main loop", "[server]") {
  Server server(quietConfig());
  ControlSurface& control = server.control();
  uv_timer_t timer{};
  openQuietTimer(control.mainLoop(), &timer);
  int calls = 0;
  bool onMainThread = false;
  const auto mainThread = std::this_thread::get_id();
  control.onStopping([&] {
    ++calls;
    onMainThread = std::this_thread::get_id() == mainThread;
    uv_close(reinterpret_cast<uv_handle_t*>(&timer), nullptr);
  });
  server.setOnReady([&] { control.requestDrain("test"); });

  CHECK(server.run() == 0);
  CHECK(calls == 1);
  CHECK(onMainThread);
}

TEST_CASE("a main-loop handle nobody closes makes run() fail", "[server]") {
  // Without this, the test above could pass with a hook that is never called.
  Server server(quietConfig());
  ControlSurface& control = server.control();
  uv_timer_t timer{};
  openQuietTimer(control.mainLoop(), &timer);
  server.setOnReady([&] { control.requestDrain("test"); });

  CHECK(server.run() == 1);
  // Close what was left so that the loop's memory goes and the leak checker stays quiet.
  uv_close(reinterpret_cast<uv_handle_t*>(&timer), nullptr);
  uv_run(control.mainLoop(), UV_RUN_DEFAULT);
  CHECK(uv_loop_close(control.mainLoop()) == 0);
}
