// A WebSocket upgrade is an exchange that ends with its 101 (RFC 6455 section 4.2.2): from then
// on the connection carries frames, not answers. A middleware's onFinished runs when the 101 has
// gone out, with the 101's status and size, and not again when the WebSocket closes.
#include <catch2/catch.hpp>
#include <vector>

#include "server/middleware.h"
#include "tests/server/ws_client.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::CloseReason;
using lifecycle::Phase;

TEST_CASE("onFinished runs for the 101 of a WebSocket upgrade", "[middleware][websocket]") {
  std::vector<server::ExchangeSummary> finished;
  ServerFixture fixture({}, [&](server::Router& router) {
    router.use([&](const server::Request& request, server::Responder responder, server::Next next) {
      responder.onFinished([&](const server::ExchangeSummary& s) { finished.push_back(s); });
      next(request, std::move(responder));
    });
  });
  RawClient& client = openWebSocket(fixture);
  REQUIRE(client.received().starts_with("HTTP/1.1 101 Switching Protocols\r\n"));
  REQUIRE(fixture.runUntil([&] { return fixture.inPhase(Phase::WebSocket) == 1; }));
  REQUIRE(finished.size() == 1);
  CHECK(finished[0].status == 101);
  CHECK(finished[0].bytes == client.receivedBytes());
  CHECK(finished[0].completed);
  CHECK(finished[0].closeReason == CloseReason::None);

  // The WebSocket's own end is not another exchange.
  client.send(clientClose(1000));
  REQUIRE(fixture.runUntil([&] { return fixture.tally().open == 0; }));
  CHECK(finished.size() == 1);
}
