// The client resets its connection while the upstream's answer is still arriving: the handler's
// onCancel cancels the upstream request, whose connection is closed (the upstream sees our FIN)
// instead of going back to the pool half-read, and the cancel is counted.
#include <catch2/catch.hpp>

#include "tests/app/proxy_harness.h"

using namespace closewise::testing;
using closewise::lifecycle::CloseReason;

TEST_CASE("a client gone mid-response cancels the upstream request", "[app][proxy]") {
  ProxyHarness h([](FakePeer& peer, const std::string&) {
    peer.send("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\nthe first part");
  });
  RawClient& client = h.connect();
  client.send(ProxyHarness::proxyGet("backend", "/big"));
  REQUIRE(
      h.runUntil([&] { return client.received().find("the first part") != std::string::npos; }));
  REQUIRE(h.upstream.accepted() == 1);
  CHECK_FALSE(h.upstream.peer(0).eofSeen());
  client.reset();
  REQUIRE(h.runUntil([&] { return h.upstream.peer(0).eofSeen(); }));
  REQUIRE(h.runUntil([&] { return h.books().connections.open == 0; }));
  CHECK(h.books().cancelled == 1);
  CHECK(h.books().connections.closedByReason[static_cast<std::size_t>(CloseReason::Cancelled)] ==
        1);
  CHECK(h.stop() == 0);
}
