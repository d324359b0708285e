// A drain closes idle connections at once, as nginx does on a graceful shutdown: without that,
// a keep-alive client that never sends again would hold the stop open until the deadline (the
// "graceful stop that never ends" of docs/lifecycle.md). A connection that is connected but has
// sent nothing counts as idle too. Each gets a graceful close, reason drain.
#include <catch2/catch.hpp>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::CloseReason;
using lifecycle::Phase;

TEST_CASE("a drain closes idle and silent connections gracefully, reason drain",
          "[lifecycle][drain]") {
  ServerFixture fixture([](server::WorkerOptions& o) {
    o.timeouts.idle = 30s;
    o.timeouts.header = 30s;
    o.drainTimeout = 10s;
  });
  RawClient& idle = fixture.connect();
  idle.send(get("/"));
  RawClient& silent = fixture.connect();
  REQUIRE(fixture.runUntil(
      [&] { return fixture.inPhase(Phase::Idle) == 1 && fixture.inPhase(Phase::Reading) == 1; }));

  fixture.worker().beginDrain();
  REQUIRE(fixture.runUntil([&] { return idle.eof() && silent.eof(); }, 2s));
  CHECK(idle.responseCount() == 1);  // nothing more was said on the idle one
  CHECK(silent.received().empty());  // and nothing at all on the silent one
  CHECK_FALSE(idle.resetByPeer());
  CHECK_FALSE(silent.resetByPeer());
  CHECK(fixture.closedBy(CloseReason::Drain) == 2);
  CHECK(fixture.inPhase(Phase::Closing) == 2);
  CHECK_FALSE(fixture.worker().finished());  // lingering for the clients' FINs

  idle.shutdownWrite();
  silent.shutdownWrite();
  REQUIRE(fixture.runUntil([&] { return fixture.worker().finished(); }, 2s));
  CHECK(fixture.tally().open == 0);
  CHECK(fixture.closedBy(CloseReason::DrainDeadline) == 0);
}
