// A middleware's onFinished sees the router's own answers too: a 404 for an unknown path is an
// exchange like any other, with its status and size, so an access log built as middleware misses
// nothing.
#include <catch2/catch.hpp>
#include <vector>

#include "server/middleware.h"
#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

TEST_CASE("onFinished sees the router's 404", "[middleware]") {
  std::vector<server::ExchangeSummary> finished;
  ServerFixture fixture({}, [&](server::Router& router) {
    router.use([&](const server::Request& request, server::Responder responder, server::Next next) {
      responder.onFinished([&](const server::ExchangeSummary& s) { finished.push_back(s); });
      next(request, std::move(responder));
    });
  });
  RawClient& client = fixture.connect();
  client.send(get("/no/such/path"));
  REQUIRE(fixture.runUntil([&] { return finished.size() == 1 && client.responseCount() == 1; }));
  REQUIRE(client.received().starts_with("HTTP/1.1 404 Not Found\r\n"));
  REQUIRE(fixture.runUntil([&] { return client.received().ends_with("not found\n"); }));
  CHECK(finished[0].status == 404);
  CHECK(finished[0].bytes == client.receivedBytes());
  CHECK(finished[0].completed);
  CHECK(finished[0].duration > 0ns);
}
