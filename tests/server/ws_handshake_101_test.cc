// A valid opening handshake is answered 101 with the accept value of RFC 6455 section 4.2.2, and
// the connection leaves HTTP: it is counted in phase websocket, and as an upgrade in the books.
#include <catch2/catch.hpp>

#include "tests/server/ws_client.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::Phase;

TEST_CASE("a valid handshake is answered 101 and the connection counts as a websocket",
          "[websocket][handshake]") {
  ServerFixture fixture;
  RawClient& client = openWebSocket(fixture);
  const std::string& head = client.received();
  CHECK(head.starts_with("HTTP/1.1 101 Switching Protocols\r\n"));
  CHECK(head.find("\r\nUpgrade: websocket\r\n") != std::string::npos);
  CHECK(head.find("\r\nConnection: Upgrade\r\n") != std::string::npos);
  CHECK(head.find("\r\nSec-WebSocket-Accept: " + std::string(kWsAccept) + "\r\n") !=
        std::string::npos);
  // A 101 has no content (RFC 9110 section 6.4.1), so no framing header either.
  CHECK(head.find("Content-Length") == std::string::npos);
  CHECK(head.find("Transfer-Encoding") == std::string::npos);
  CHECK(head.find("Sec-WebSocket-Protocol") == std::string::npos);
  REQUIRE(fixture.runUntil([&] { return fixture.inPhase(Phase::WebSocket) == 1; }));
  CHECK(fixture.tally().websocket.upgrades == 1);
  CHECK(fixture.tally().websocket.rejected == 0);
  CHECK(fixture.tally().requests == 1);
}
