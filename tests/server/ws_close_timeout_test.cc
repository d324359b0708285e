// Our close frame waits --ws-close-timeout for the peer's (RFC 6455 section 7.1.2); a peer that
// never sends it is cut off then, and the close keeps the reason it began with (here the
// handler's close, server_close) and the code we sent.
#include <catch2/catch.hpp>
#include <list>

#include "tests/server/ws_client.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::CloseReason;
using lifecycle::Phase;

TEST_CASE("a peer that never answers our close frame is cut off after the close timeout",
          "[websocket]") {
  std::list<server::WebSocket> sockets;
  ServerFixture fixture(
      [](server::WorkerOptions& o) {
        o.timeouts.wsCloseTimeout = 80ms;
        o.timeouts.wsPingInterval = 30s;
      },
      [&sockets](server::Router& router) {
        router.on("GET", "/ws/bye",
                  [&sockets](const server::Request& request, server::Responder r) {
                    auto socket = server::acceptWebSocket(request, std::move(r));
                    if (!socket) return;
                    sockets.emplace_back(std::move(*socket)).close(4000, "bye");
                  });
      });
  // Before the handshake: the close frame leaves with the 101, before the test sees it.
  const auto openedAt = std::chrono::steady_clock::now();
  RawClient& client = openWebSocket(fixture, "/ws/bye");
  REQUIRE(fixture.runUntil([&] { return closeFrame(client.received()).has_value(); }, 2s));
  CHECK(closeFrame(client.received())->closeCode() == 4000);
  CHECK(fixture.inPhase(Phase::WsClosing) == 1);
  // The client answers nothing: after the close timeout TCP goes anyway.
  REQUIRE(fixture.runUntil([&] { return fixture.tally().open == 0; }, 2s));
  // The loop's clock may lag the test's by a few milliseconds under load; 60 ms is still past it.
  CHECK(std::chrono::steady_clock::now() - openedAt >= 60ms);
  CHECK(fixture.closedBy(CloseReason::ServerClose) == 1);
  CHECK(wsClosedWith(fixture, 4000) == 1);  // the code we sent, in the 3000-4999 slot
  CHECK(fixture.runUntil([&] { return client.eof() || client.resetByPeer(); }));
}
