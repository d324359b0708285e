// The demo route /delay?ms=N answers after N milliseconds from a libuv timer. The handler returns
// at once and keeps its Responder, so the loop is free while the answer waits: another connection
// on the same worker is served in the meantime. A handler that slept instead would hold up every
// connection of the worker.
#include <catch2/catch.hpp>
#include <string>

#include "tests/server/demo_routes/demo_fixture.h"

using namespace closewise;
using namespace closewise::testing;

namespace {

constexpr std::string_view kDelayed =
    "HTTP/1.1 200 OK\r\nDate: *\r\nServer: closewise\r\nContent-Length: 8\r\n"
    "Content-Type: text/plain\r\n\r\ndelayed\n";

}  // namespace

TEST_CASE("/delay?ms=50 answers no sooner than 50 ms after the request") {
  DemoFixture fixture;
  RawClient& client = fixture.connect();
  REQUIRE(fixture.runUntil([&] { return client.connected(); }));

  // Loop time on both sides: the server's timer starts from a uv_now() no earlier than this one.
  uv_update_time(fixture.loop());
  const std::uint64_t sentAt = uv_now(fixture.loop());
  client.send(get("/delay?ms=50"));
  REQUIRE(fixture.runUntil([&] { return client.responseCount() == 1; }));
  uv_update_time(fixture.loop());
  CHECK(uv_now(fixture.loop()) - sentAt >= 50);

  REQUIRE(fixture.runUntil([&] { return client.receivedBytes() >= kDelayed.size() + 28; }));
  CHECK(withDateMasked(client.received()) == kDelayed);
}

TEST_CASE("while /delay waits, another connection's GET / is answered") {
  DemoFixture fixture;
  RawClient& slow = fixture.connect();
  RawClient& quick = fixture.connect();
  slow.send(get("/delay?ms=1000"));
  // The delayed exchange is open (its handler ran) before the second request goes out.
  REQUIRE(fixture.runUntil([&] { return fixture.inPhase(lifecycle::Phase::Processing) == 1; }));
  quick.send(get("/"));

  REQUIRE(fixture.runUntil([&] { return quick.responseCount() == 1; }));
  CHECK(slow.receivedBytes() == 0);
  CHECK(fixture.inPhase(lifecycle::Phase::Processing) == 1);

  REQUIRE(fixture.runUntil([&] { return slow.responseCount() == 1; }));
  REQUIRE(fixture.runUntil([&] { return slow.receivedBytes() >= kDelayed.size() + 28; }));
  CHECK(withDateMasked(slow.received()) == kDelayed);
}
