// When the drain begins (after --drain-delay) every open WebSocket is told 1001 Going Away; each
// close handshake runs within the drain deadline, and the worker finishes once the last one has
// closed, with nothing reset.
#include <catch2/catch.hpp>

#include "tests/server/ws_client.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::CloseReason;
using lifecycle::Phase;

TEST_CASE("a drain sends 1001 to every websocket and finishes when their handshakes end",
          "[websocket][drain]") {
  ServerFixture fixture([](server::WorkerOptions& o) {
    o.drainTimeout = 5s;
    o.timeouts.wsPingInterval = 30s;
  });
  std::vector<RawClient*> clients;
  for (int i = 0; i < 3; ++i) clients.push_back(&openWebSocket(fixture));
  REQUIRE(fixture.runUntil([&] { return fixture.inPhase(Phase::WebSocket) == 3; }));

  fixture.worker().beginDrain();
  for (RawClient* client : clients) {
    REQUIRE(fixture.runUntil([&] { return closeFrame(client->received()).has_value(); }, 2s));
    CHECK(closeFrame(client->received())->closeCode() == 1001);
  }
  CHECK(fixture.inPhase(Phase::WsClosing) == 3);
  CHECK_FALSE(fixture.worker().finished());
  // Each client answers as RFC 6455 section 5.5.1 says; the server then closes TCP first.
  for (RawClient* client : clients) client->send(clientClose(1001));
  for (RawClient* client : clients) {
    REQUIRE(fixture.runUntil([&] { return client->eof(); }, 2s));
    CHECK_FALSE(client->resetByPeer());
    client->close();
  }
  REQUIRE(fixture.runUntil([&] { return fixture.worker().finished(); }, 2s));
  CHECK(fixture.closedBy(CloseReason::Drain) == 3);
  CHECK(fixture.closedBy(CloseReason::DrainDeadline) == 0);
  CHECK(wsClosedWith(fixture, 1001) == 3);
}

TEST_CASE("websockets that do not answer the going-away are reset at the drain deadline",
          "[websocket][drain]") {
  ServerFixture fixture([](server::WorkerOptions& o) {
    o.drainTimeout = 150ms;
    o.timeouts.wsCloseTimeout = 30s;  // the drain deadline, not the close timeout, ends them
  });
  RawClient& client = openWebSocket(fixture);
  REQUIRE(fixture.runUntil([&] { return fixture.inPhase(Phase::WebSocket) == 1; }));
  const auto drainAt = std::chrono::steady_clock::now();
  fixture.worker().beginDrain();
  REQUIRE(fixture.runUntil([&] { return closeFrame(client.received()).has_value(); }));
  REQUIRE(fixture.runUntil([&] { return fixture.worker().finished(); }, 2s));
  CHECK(std::chrono::steady_clock::now() - drainAt < 1s);
  REQUIRE(fixture.runUntil([&] { return client.resetByPeer() || client.eof(); }));
  CHECK(client.resetByPeer());
  // The close keeps its first reason; the deadline only made it a reset.
  CHECK(fixture.closedBy(CloseReason::Drain) == 1);
  CHECK(fixture.tally().open == 0);
}
