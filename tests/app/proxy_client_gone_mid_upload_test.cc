// The client resets its connection halfway through an upload the proxy is streaming to the
// upstream: the upstream request is cancelled and its connection closed (the upstream sees our
// FIN), not returned to the pool with half a request on it, and the cancel is counted.
#include <catch2/catch.hpp>

#include "tests/app/proxy_harness.h"

using namespace closewise::testing;
using closewise::lifecycle::CloseReason;

TEST_CASE("a client gone mid-upload cancels the upstream request", "[app][proxy][upload]") {
  ProxyHarness h([](FakePeer& peer, const std::string&) { peer.send(okResponse("never\n")); });
  RawClient& client = h.connect();
  client.send("POST /proxy/backend/store HTTP/1.1\r\nHost: test\r\nContent-Length: 100000\r\n\r\n" +
              std::string(1000, 'u'));
  REQUIRE(h.runUntil([&] {
    return h.upstream.accepted() == 1 &&
           h.upstream.peer(0).received().ends_with(std::string(1000, 'u'));
  }));
  CHECK_FALSE(h.upstream.peer(0).eofSeen());
  client.reset();
  REQUIRE(h.runUntil([&] { return h.upstream.peer(0).eofSeen(); }));
  REQUIRE(h.runUntil([&] { return h.books().connections.open == 0; }));
  CHECK(h.upstream.requests() == 0);  // the upstream never got a whole request
  CHECK(h.books().cancelled == 1);
  CHECK(h.books().connections.closedByReason[static_cast<std::size_t>(CloseReason::Cancelled)] ==
        1);
  CHECK(h.stop() == 0);
}
