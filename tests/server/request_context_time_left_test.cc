// Responder::timeLeft(): what is left of the handler deadline (--handler-timeout), so a handler
// can bound the work it starts (a query, a call upstream) by the time it still has. It is at most
// the handler timeout, shrinks as time passes, and is zero once the exchange is gone.
#include <catch2/catch.hpp>
#include <chrono>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

namespace {

// Keeps the Responder for 60 ms, then notes the time left and answers.
struct Later {
  uv_timer_t timer{};
  server::Responder responder;
  std::chrono::milliseconds* left;
};

}  // namespace

TEST_CASE("timeLeft is within the handler timeout and decreases", "[request_context]") {
  std::chrono::milliseconds atDispatch{-1};
  std::chrono::milliseconds later{-1};
  std::chrono::milliseconds afterEnd{-1};
  Later* pending = nullptr;
  ServerFixture fixture([](server::WorkerOptions& o) { o.timeouts.handler = 500ms; },
                        [&](server::Router& router) {
                          router.on("GET", "/slow",
                                    [&](const server::Request&, server::Responder responder) {
                                      atDispatch = responder.timeLeft();
                                      pending = new Later{{}, std::move(responder), &later};
                                      uv_timer_init(pending->responder.loop(), &pending->timer);
                                      pending->timer.data = pending;
                                      uv_timer_start(
                                          &pending->timer,
                                          [](uv_timer_t* timer) {
                                            auto* self = static_cast<Later*>(timer->data);
                                            *self->left = self->responder.timeLeft();
                                            self->responder.send(200, "ok\n");
                                          },
                                          60, 0);
                                    });
                        });
  RawClient& client = fixture.connect();
  client.send(get("/slow"));
  REQUIRE(fixture.runUntil([&] { return client.responseCount() == 1; }));
  CHECK(atDispatch <= 500ms);
  CHECK(atDispatch > 400ms);
  CHECK(later <= atDispatch - 50ms);
  CHECK(later > 0ms);
  // The exchange is over: nothing is left of it.
  afterEnd = pending->responder.timeLeft();
  CHECK(afterEnd == 0ms);
  uv_close(reinterpret_cast<uv_handle_t*>(&pending->timer),
           [](uv_handle_t* handle) { delete static_cast<Later*>(handle->data); });
  fixture.runFor(10ms);
}
