// A ping from the peer is answered with a pong carrying the same payload (RFC 6455 section
// 5.5.3), and a pong from the peer is not answered at all (section 5.5.3: unsolicited pongs
// need no reply).
#include <catch2/catch.hpp>

#include "tests/server/ws_client.h"

using namespace closewise;
using namespace closewise::testing;

TEST_CASE("a ping gets a pong with its payload", "[websocket][ping]") {
  ServerFixture fixture;
  RawClient& client = openWebSocket(fixture);
  client.send(clientFrame(0xA, "unsolicited"));
  client.send(clientFrame(0x9, "are you there"));
  REQUIRE(fixture.runUntil([&] { return serverFrames(client.received()).size() == 1; }));
  fixture.runFor(20ms);
  const auto frames = serverFrames(client.received());
  REQUIRE(frames.size() == 1);
  CHECK(frames[0].opcode == 0xA);
  CHECK(frames[0].payload == "are you there");
  CHECK(fixture.tally().websocket.messagesIn == 0);  // control frames are not messages
}
