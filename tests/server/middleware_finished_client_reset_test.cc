// An exchange the client ends by resetting the connection in the middle of the answer still
// finishes for its middleware: onFinished runs once, says the answer did not complete, and gives
// the status that was started, the bytes produced until then and the close reason, peer_reset.
#include <catch2/catch.hpp>
#include <vector>

#include "server/middleware.h"
#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::CloseReason;

TEST_CASE("onFinished runs, incomplete, when the client resets mid-response", "[middleware]") {
  std::vector<server::ExchangeSummary> finished;
  // A write deadline far beyond the test, so only the RST can end the exchange.
  ServerFixture fixture(
      [](server::WorkerOptions& o) { o.timeouts.write = 60s; },
      [&](server::Router& router) {
        router.use([&](const server::Request& request, server::Responder responder,
                       server::Next next) {
          responder.onFinished([&](const server::ExchangeSummary& s) { finished.push_back(s); });
          next(request, std::move(responder));
        });
      });
  RawClient& client = fixture.connect();
  client.keepOnlyCount(true);
  // /bytes writes its 50 MB only while the connection wants more: the answer is still being
  // produced when the client goes.
  client.send(get("/bytes?n=50000000"));
  REQUIRE(fixture.runUntil([&] { return client.receivedBytes() > 256 * 1024; }));
  CHECK(finished.empty());
  client.reset();
  REQUIRE(fixture.runUntil([&] { return fixture.tally().open == 0; }, 2s));
  // Let any second call show itself.
  fixture.runFor(20ms);
  REQUIRE(finished.size() == 1);
  CHECK(finished[0].status == 200);
  CHECK_FALSE(finished[0].completed);
  CHECK(finished[0].bytes >= client.receivedBytes());
  CHECK(finished[0].bytes < 50'000'000);
  CHECK(finished[0].closeReason == CloseReason::PeerReset);
}
