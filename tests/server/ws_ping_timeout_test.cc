// A WebSocket that sends nothing for --ws-ping-interval is pinged; if nothing at all comes within
// --ws-pong-timeout it is closed as ws_ping_timeout without a close handshake: a peer that did
// not answer a ping would not answer a close frame either, so TCP closes at once (gracefully:
// our FIN) and the books say 1006, no close frame (RFC 6455 section 7.1.5). A peer that answers
// its pings stays open however long it is otherwise silent.
#include <catch2/catch.hpp>

#include "tests/server/ws_client.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::CloseReason;
using lifecycle::Phase;

namespace {

void shortHeartbeats(server::WorkerOptions& o) {
  o.timeouts.wsPingInterval = 60ms;
  o.timeouts.wsPongTimeout = 60ms;
}

std::size_t countOpcode(const RawClient& client, std::uint8_t opcode) {
  std::size_t n = 0;
  for (const ServerFrame& frame : serverFrames(client.received())) n += frame.opcode == opcode;
  return n;
}

}  // namespace

TEST_CASE("a silent peer is pinged, then closed as ws_ping_timeout", "[websocket][heartbeat]") {
  ServerFixture fixture(shortHeartbeats);
  RawClient& client = openWebSocket(fixture);
  const auto openedAt = std::chrono::steady_clock::now();
  REQUIRE(fixture.runUntil([&] { return countOpcode(client, 0x9) == 1; }, 2s));
  CHECK(fixture.inPhase(Phase::WebSocket) == 1);  // a ping, not yet a close
  REQUIRE(fixture.runUntil([&] { return client.eof() || client.resetByPeer(); }, 2s));
  const auto took = std::chrono::steady_clock::now() - openedAt;
  // Each deadline counts from the loop's clock, which is read once per loop iteration and may lag
  // the test's by a few milliseconds under load; 100 ms is still far past either of the two.
  CHECK(took >= 100ms);
  CHECK(client.eof());  // our FIN, not a reset
  CHECK_FALSE(client.resetByPeer());
  CHECK_FALSE(closeFrame(client.received()).has_value());
  CHECK(fixture.inPhase(Phase::WsClosing) == 0);
  CHECK(fixture.closedBy(CloseReason::WsPingTimeout) == 1);
  CHECK(wsClosedWith(fixture, 1006) == 1);
  CHECK(wsClosedWith(fixture, 1001) == 0);
  // Our FIN is out; the client's ends the lingering close.
  client.shutdownWrite();
  REQUIRE(fixture.runUntil([&] { return fixture.tally().open == 0; }, 2s));
}

TEST_CASE("a peer that answers its pings stays open", "[websocket][heartbeat]") {
  ServerFixture fixture(shortHeartbeats);
  RawClient& client = openWebSocket(fixture);
  std::size_t answered = 0;
  const auto until = std::chrono::steady_clock::now() + 500ms;
  while (std::chrono::steady_clock::now() < until) {
    fixture.runFor(10ms);
    const std::size_t pings = countOpcode(client, 0x9);
    for (; answered < pings; ++answered) client.send(clientFrame(0xA, ""));
  }
  CHECK(answered >= 3);
  CHECK(fixture.inPhase(Phase::WebSocket) == 1);
  CHECK(fixture.closedBy(CloseReason::WsPingTimeout) == 0);
  CHECK_FALSE(closeFrame(client.received()).has_value());
}
