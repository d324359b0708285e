// Responder::onFinished, registered by a middleware, learns how an answered exchange ended: its
// status, the bytes of the answer as they went out (head included: every byte the client
// received), the time from dispatch to the last byte, that it completed, and whether the
// connection closes because of it.
#include <catch2/catch.hpp>
#include <vector>

#include "server/middleware.h"
#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::CloseReason;

TEST_CASE("onFinished sees the status, size and duration of an answer", "[middleware]") {
  std::vector<server::ExchangeSummary> finished;
  ServerFixture fixture({}, [&](server::Router& router) {
    router.use([&](const server::Request& request, server::Responder responder, server::Next next) {
      responder.onFinished([&](const server::ExchangeSummary& s) { finished.push_back(s); });
      next(request, std::move(responder));
    });
  });
  RawClient& client = fixture.connect();
  // /delay answers from a timer, 40 ms after its handler ran.
  client.send(get("/delay?ms=40"));
  REQUIRE(fixture.runUntil([&] { return finished.size() == 1; }));
  REQUIRE(fixture.runUntil([&] { return client.received().ends_with("delayed\n"); }));
  CHECK(finished[0].status == 200);
  CHECK(finished[0].bytes == client.receivedBytes());
  // The timer counts on the loop's clock, milliseconds cached at the start of each iteration, and
  // the duration on the monotonic clock in nanoseconds: the two may differ by a millisecond.
  CHECK(finished[0].duration >= 39ms);
  CHECK(finished[0].duration < 2s);
  CHECK(finished[0].completed);
  CHECK(finished[0].closeReason == CloseReason::None);

  // The client asks to close after this one (RFC 9112 section 9.6): the connection closes
  // because of this exchange, and the summary says why.
  const std::size_t before = client.receivedBytes();
  client.send(get("/", "Connection: close\r\n"));
  REQUIRE(fixture.runUntil([&] { return finished.size() == 2 && client.eof(); }));
  CHECK(finished[1].status == 200);
  CHECK(finished[1].bytes == client.receivedBytes() - before);
  CHECK(finished[1].completed);
  CHECK(finished[1].closeReason == CloseReason::ClientRequested);
}
