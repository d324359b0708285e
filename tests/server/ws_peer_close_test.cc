// The peer's close frame is answered with a close frame carrying its code (RFC 6455 section
// 5.5.1), and then the server closes TCP first (section 7.1.1), so the TIME_WAIT lands on the
// server and not on the client's port. The books record the code received.
#include <catch2/catch.hpp>

#include "tests/server/ws_client.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::CloseReason;
using lifecycle::Phase;

TEST_CASE("a peer's close 1000 is echoed, then the server sends its FIN first",
          "[websocket][close]") {
  ServerFixture fixture;
  RawClient& client = openWebSocket(fixture);
  client.send(clientClose(1000, "bye"));
  // Our FIN arrives while the client has not sent its own.
  REQUIRE(fixture.runUntil([&] { return client.eof() || client.readError() != 0; }));
  CHECK(client.eof());
  CHECK_FALSE(client.resetByPeer());
  const auto close = closeFrame(client.received());
  REQUIRE(close);
  CHECK(close->closeCode() == 1000);
  CHECK(serverFrames(client.received()).size() == 1);  // the close frame and nothing after it
  CHECK(fixture.closedBy(CloseReason::PeerClosed) == 1);
  CHECK(wsClosedWith(fixture, 1000) == 1);
  CHECK(fixture.inPhase(Phase::Closing) == 1);  // lingering for the client's FIN

  client.close();
  REQUIRE(fixture.runUntil([&] { return fixture.tally().open == 0; }));
  // The server closed first: the TIME_WAIT is on its port.
  CHECK(fixture.runUntil([&] { return fixture.kernelCount(kernel::TcpState::TimeWait) == 1; }));
}

TEST_CASE("a close frame without a code is answered 1000 and recorded as 1005",
          "[websocket][close]") {
  ServerFixture fixture;
  RawClient& client = openWebSocket(fixture);
  client.send(clientFrame(0x8, ""));
  REQUIRE(fixture.runUntil([&] { return client.eof(); }));
  const auto close = closeFrame(client.received());
  REQUIRE(close);
  CHECK(close->closeCode() == 1000);
  CHECK(wsClosedWith(fixture, 1005) == 1);
}

TEST_CASE("an application close code is echoed and counted", "[websocket][close]") {
  ServerFixture fixture;
  RawClient& client = openWebSocket(fixture);
  client.send(clientClose(4001));
  REQUIRE(fixture.runUntil([&] { return client.eof(); }));
  const auto close = closeFrame(client.received());
  REQUIRE(close);
  CHECK(close->closeCode() == 4001);
  CHECK(wsClosedWith(fixture, 4001) == 1);
}
