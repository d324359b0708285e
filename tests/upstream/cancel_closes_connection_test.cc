// Cancellation (the downstream client left): the upstream connection is closed, never pooled
// mid-response, the cancel is counted, and no callback runs after it.
#include <catch2/catch.hpp>

#include "tests/upstream/pool_harness.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::CloseReason;

TEST_CASE("cancelling mid-response closes the connection instead of pooling it", "[pool]") {
  PoolHarness h([](FakePeer& peer, const std::string&) {
    peer.send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nfirst part");
  });
  Outcome& a = h.send();
  REQUIRE(h.fx.runUntil([&] { return !a.body.empty(); }));
  h.handle(0).cancel();
  CHECK_FALSE(h.handle(0).active());
  REQUIRE(h.fx.runUntil([&] { return h.books().connections.open == 0; }, 1s));
  CHECK(h.closedBy(CloseReason::Cancelled) == 1);
  CHECK(h.books().cancelled == 1);
  CHECK(h.fx.runUntil([&] { return h.upstream.peer(0).eofSeen(); }, 1s));
  CHECK_FALSE(a.done());  // no callback after cancel
}

TEST_CASE("cancelling a queued request removes it without a connection", "[pool]") {
  auto settings = fastSettings();
  settings.maxConnections = 1;
  settings.queueTimeout = 1'000ms;
  PoolHarness h([](FakePeer&, const std::string&) {}, settings);  // silent: holds the one slot
  Outcome& holder = h.send();
  Outcome& queued = h.send();
  REQUIRE(h.fx.runUntil([&] { return h.upstream.requests() == 1; }));
  CHECK(h.books().queued == 1);
  h.handle(1).cancel();
  CHECK(h.books().queued == 0);
  CHECK(h.books().cancelled == 1);
  h.fx.runFor(20ms);
  CHECK_FALSE(queued.done());
  CHECK_FALSE(holder.done());
}
