// A handshake that breaks RFC 6455 section 4.2.1 is answered 400, one with another version 426
// with "Sec-WebSocket-Version: 13" (section 4.4); either way the connection stays HTTP and the
// books count a rejected handshake.
#include <catch2/catch.hpp>

#include "tests/server/ws_client.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::Phase;

TEST_CASE("a broken handshake is answered 400 and stays HTTP", "[websocket][handshake]") {
  ServerFixture fixture;
  RawClient& client = fixture.connect();
  std::string request = wsHandshake();
  request.replace(request.find(std::string(kWsKey)), kWsKey.size(), "c2hvcnQ=");  // 5 bytes
  client.send(request);
  REQUIRE(fixture.runUntil([&] { return client.responseCount() == 1; }));
  CHECK(client.received().starts_with("HTTP/1.1 400 "));
  CHECK(fixture.tally().websocket.rejected == 1);
  CHECK(fixture.tally().websocket.upgrades == 0);
  // Still an HTTP connection: the next request is answered.
  client.send(get("/"));
  REQUIRE(fixture.runUntil([&] { return client.responseCount() == 2; }));
  CHECK(fixture.inPhase(Phase::WebSocket) == 0);
}

TEST_CASE("a handshake of another version is answered 426 naming version 13",
          "[websocket][handshake]") {
  ServerFixture fixture;
  RawClient& client = fixture.connect();
  client.send(wsHandshake("/ws/echo", "8"));
  REQUIRE(fixture.runUntil([&] { return client.responseCount() == 1; }));
  CHECK(client.received().starts_with("HTTP/1.1 426 "));
  CHECK(client.received().find("\r\nSec-WebSocket-Version: 13\r\n") != std::string::npos);
  CHECK(fixture.tally().websocket.rejected == 1);
  CHECK(fixture.inPhase(Phase::WebSocket) == 0);
}

TEST_CASE("a plain GET to a websocket route is answered 400", "[websocket][handshake]") {
  ServerFixture fixture;
  RawClient& client = fixture.connect();
  client.send(get("/ws/echo"));
  REQUIRE(fixture.runUntil([&] { return client.responseCount() == 1; }));
  CHECK(client.received().starts_with("HTTP/1.1 400 "));
}
