// The demo route /ws/echo: any Origin, `null` included, is welcome; no subprotocol is chosen even
// when one is offered; each message comes back with its type. Its session frees itself when the
// WebSocket ends, by a close handshake or by the server stopping (LeakSanitizer, on in the test
// build, would report a session left behind).
#include <catch2/catch.hpp>
#include <string>

#include "tests/server/demo_routes/demo_fixture.h"
#include "tests/server/ws_client.h"

using namespace closewise;
using namespace closewise::testing;

TEST_CASE("/ws/echo echoes with the type, accepts Origin null and picks no subprotocol",
          "[websocket]") {
  DemoFixture fixture;
  RawClient& client = fixture.connect();
  std::string handshake = wsHandshake("/ws/echo");
  handshake.insert(handshake.size() - 2, "Sec-WebSocket-Protocol: chat\r\n");
  client.send(handshake);
  client.send(clientFrame(0x1, "text") + clientFrame(0x2, "bin"));
  REQUIRE(fixture.runUntil([&] { return serverFrames(client.received()).size() == 2; }));
  CHECK(client.received().starts_with("HTTP/1.1 101 "));
  CHECK(client.received().find("Sec-WebSocket-Protocol") == std::string::npos);
  const auto frames = serverFrames(client.received());
  CHECK(frames[0].opcode == 0x1);
  CHECK(frames[0].payload == "text");
  CHECK(frames[1].opcode == 0x2);
  CHECK(frames[1].payload == "bin");

  client.send(clientClose(1000));
  REQUIRE(fixture.runUntil([&] { return client.eof(); }));
  CHECK(closeFrame(client.received())->closeCode() == 1000);

  // A second one is still open when the fixture stops the server.
  RawClient& other = openWebSocket(fixture);
  other.send(clientFrame(0x1, "x"));
  REQUIRE(fixture.runUntil([&] { return serverFrames(other.received()).size() == 1; }));
}
