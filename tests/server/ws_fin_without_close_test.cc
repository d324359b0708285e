// A peer that sends FIN without a close frame is gone (RFC 6455 section 7.1.5): the connection
// ends at once, reason peer_closed, code 1006 in the books, and no socket of ours waits in
// CLOSE_WAIT.
#include <catch2/catch.hpp>

#include "tests/server/ws_client.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::CloseReason;

TEST_CASE("a FIN without a close frame ends the websocket at once, code 1006",
          "[websocket][close]") {
  ServerFixture fixture;
  RawClient& client = openWebSocket(fixture);
  REQUIRE(fixture.runUntil([&] { return fixture.inPhase(lifecycle::Phase::WebSocket) == 1; }));
  client.shutdownWrite();
  REQUIRE(fixture.runUntil([&] { return fixture.tally().open == 0; }, 1s));
  CHECK(fixture.closedBy(CloseReason::PeerClosed) == 1);
  CHECK(wsClosedWith(fixture, 1006) == 1);
  REQUIRE(fixture.runUntil([&] { return client.eof(); }));
  CHECK(closeFrame(client.received()) == std::nullopt);  // nothing to say to a peer that left
  CHECK(fixture.runUntil([&] { return fixture.kernelCount(kernel::TcpState::CloseWait) == 0; }));
}
