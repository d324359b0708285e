// On a drain the worker's pools close with it: the pooled connection is closed (the upstream
// sees our FIN), no pool socket is left open, and run() returns 0 (every loop closed with
// nothing open).
#include <catch2/catch.hpp>

#include "tests/app/proxy_harness.h"

using namespace closewise::testing;

TEST_CASE("a drain ends with every pool closed and no outbound socket open", "[app][proxy]") {
  ProxyHarness h([](FakePeer& peer, const std::string&) { peer.send(okResponse("pooled")); });
  RawClient& client = h.connect();
  client.send(ProxyHarness::proxyGet("backend", "/x"));
  REQUIRE(h.runUntil([&] { return client.responseCount() == 1; }));
  REQUIRE(h.books().connections.open == 1);  // idle in the pool
  REQUIRE(h.poolSockets() == 1);
  CHECK_FALSE(h.upstream.peer(0).eofSeen());

  CHECK(h.stop() == 0);
  CHECK(h.poolsClosed());
  CHECK(h.poolSockets() == 0);
  CHECK(h.books().connections.open == 0);
  CHECK(h.runUntil([&] { return h.upstream.peer(0).eofSeen(); }, std::chrono::seconds(1)));
}
