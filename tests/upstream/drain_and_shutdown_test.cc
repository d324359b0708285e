// drain() closes idle pooled connections at once, lets requests already made finish (their
// connections then close instead of returning to the pool), refuses new ones with 503, and says
// when nothing is left. shutdown() closes every handle: the loop then closes with nothing open.
#include <catch2/catch.hpp>

#include "tests/upstream/pool_harness.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::CloseReason;
using lifecycle::Phase;
using upstream::ErrorKind;

TEST_CASE("drain closes idle connections, finishes in-flight ones, then reports", "[pool][drain]") {
  auto settings = fastSettings();
  settings.timeouts.response = 2'000ms;
  FakePeer* slow = nullptr;
  PoolHarness h(
      [&](FakePeer& peer, const std::string& request) {
        if (request.rfind("GET /slow", 0) == 0) {
          slow = &peer;
          return;
        }
        peer.send(okResponse("quick"));
      },
      settings);
  Outcome& quick = h.send(get("/quick"));
  REQUIRE(h.runUntilDone(quick));
  Outcome& inFlight = h.send(get("/slow"));
  REQUIRE(h.fx.runUntil([&] { return slow != nullptr; }));
  REQUIRE(h.books().connections.in(Phase::Idle) == 0);  // the idle one carries /slow now
  Outcome& quick2 = h.send(get("/quick"));
  REQUIRE(h.runUntilDone(quick2));
  REQUIRE(h.books().connections.in(Phase::Idle) == 1);

  bool drained = false;
  h.pool->drain([&] { drained = true; });
  REQUIRE(h.fx.runUntil([&] { return h.books().connections.in(Phase::Idle) == 0; }, 1s));
  CHECK(h.closedBy(CloseReason::Drain) == 1);
  CHECK_FALSE(drained);

  Outcome& refused = h.send();
  REQUIRE(h.runUntilDone(refused));
  REQUIRE(refused.error);
  CHECK(refused.error->kind == ErrorKind::PoolClosed);
  CHECK(upstream::proxyStatus(refused.error->kind) == 503);

  slow->send(okResponse("late"));
  REQUIRE(h.fx.runUntil([&] { return drained; }, 1s));
  CHECK(inFlight.body == "late");
  CHECK(h.books().connections.open == 0);
  CHECK(h.closedBy(CloseReason::Drain) == 2);  // the in-flight one closed instead of pooling
}

TEST_CASE("shutdown fails what is open and closes every handle", "[pool][drain]") {
  auto settings = fastSettings();
  settings.timeouts.response = 2'000ms;
  PoolHarness h([](FakePeer&, const std::string&) {}, settings);
  Outcome& a = h.send();
  REQUIRE(h.fx.runUntil([&] { return h.upstream.requests() == 1; }));
  h.pool->shutdown();
  REQUIRE(a.error);
  CHECK(a.error->kind == ErrorKind::PoolClosed);
  REQUIRE(h.fx.runUntil([&] { return h.pool->closed(); }, 1s));
  CHECK(h.books().connections.open == 0);
  CHECK(h.closedBy(CloseReason::Drain) == 1);
  CHECK(h.closedBy(CloseReason::Cancelled) == 0);
  // The harness's teardown then requires uv_loop_close() == 0.
}
