// Once upgraded, a connection is no longer under the HTTP header and idle deadlines: a WebSocket
// silent for far longer than both stays open, because its heartbeat (not yet due here) is what
// watches it.
#include <catch2/catch.hpp>

#include "tests/server/ws_client.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::Phase;

TEST_CASE("a silent websocket outlives the header and idle timeouts", "[websocket]") {
  ServerFixture fixture([](server::WorkerOptions& o) {
    o.timeouts.header = 40ms;
    o.timeouts.idle = 40ms;
    o.timeouts.handler = 40ms;
    o.timeouts.wsPingInterval = 10s;
  });
  RawClient& client = openWebSocket(fixture);
  REQUIRE(fixture.runUntil([&] { return fixture.inPhase(Phase::WebSocket) == 1; }));
  fixture.runFor(250ms);
  CHECK(fixture.inPhase(Phase::WebSocket) == 1);
  CHECK(fixture.tally().closed == 0);
  CHECK_FALSE(client.eof());
  client.send(clientFrame(0x1, "still here"));
  REQUIRE(fixture.runUntil([&] { return serverFrames(client.received()).size() == 1; }));
}
