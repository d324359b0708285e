// After the idle deadline's FIN, the connection must linger in the closing phase like every
// graceful close: reading and discarding until the client's FIN or the linger deadline, so a
// request that crossed our FIN on the wire is discarded rather than answered by the kernel with
// an RST (RFC 9112 section 9.6). Any close begun from a deadline with nothing to answer (idle
// timeout; header timeout on a silent connection) takes this path.

#include <catch2/catch.hpp>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::CloseReason;
using lifecycle::Phase;

TEST_CASE("after the idle deadline's FIN the connection lingers until the client's FIN",
          "[lifecycle][linger]") {
  ServerFixture fixture([](server::WorkerOptions& o) {
    o.timeouts.idle = 100ms;
    o.timeouts.linger = 5s;
    o.timeouts.lingerRead = 2s;
  });
  RawClient& client = fixture.connect();
  client.send(get("/"));
  REQUIRE(fixture.runUntil([&] { return fixture.inPhase(Phase::Idle) == 1; }));
  REQUIRE(fixture.runUntil([&] { return client.eof(); }, 3s));
  CHECK(fixture.closedBy(CloseReason::IdleTimeout) == 1);

  // Well inside the 2 s per-read linger limit, the connection is still ours and closing.
  fixture.runFor(100ms);
  CHECK(fixture.inPhase(Phase::Closing) == 1);
  CHECK(fixture.tally().open == 1);

  // The client's FIN ends it at once.
  client.shutdownWrite();
  CHECK(fixture.runUntil([&] { return fixture.tally().open == 0; }, 1s));
}
