// A streamed answer (start(), write() as the connection wants more, end()) finishes for its
// middleware when the last byte has gone to the kernel, not when the handler returned: the
// summary counts the whole answer, head and body, as the client received it.
#include <catch2/catch.hpp>
#include <vector>

#include "server/middleware.h"
#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

TEST_CASE("onFinished counts a streamed answer whole", "[middleware]") {
  std::vector<server::ExchangeSummary> finished;
  bool handlerReturned = false;
  ServerFixture fixture({}, [&](server::Router& router) {
    router.use([&](const server::Request& request, server::Responder responder, server::Next next) {
      responder.onFinished([&](const server::ExchangeSummary& s) { finished.push_back(s); });
      next(request, std::move(responder));
      handlerReturned = true;
    });
  });
  RawClient& client = fixture.connect();
  client.keepOnlyCount(true);
  // /bytes streams 4 MB under a Content-Length, more than the socket takes at once.
  client.send(get("/bytes?n=4000000"));
  REQUIRE(fixture.runUntil([&] { return handlerReturned; }));
  CHECK(finished.empty());
  REQUIRE(fixture.runUntil([&] { return finished.size() == 1; }));
  REQUIRE(fixture.runUntil([&] { return client.receivedBytes() == finished[0].bytes; }));
  CHECK(finished[0].status == 200);
  CHECK(finished[0].bytes > 4'000'000);  // the body and its head
  CHECK(finished[0].completed);
}
