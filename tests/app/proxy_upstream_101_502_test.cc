// An upstream that answers 101 (switching to a protocol this server does not relay) gets its
// client a 502 naming the status, not a 500 from a handler that could not answer.
#include <catch2/catch.hpp>

#include "tests/app/proxy_harness.h"

using namespace closewise::testing;

TEST_CASE("an upstream's 101 is a 502 that names the status", "[app][proxy]") {
  ProxyHarness h([](FakePeer& peer, const std::string&) {
    peer.send("HTTP/1.1 101 Switching Protocols\r\nUpgrade: other\r\nConnection: upgrade\r\n\r\n");
  });
  RawClient& client = h.connect();
  client.send(ProxyHarness::proxyGet("backend", "/upgrade"));
  REQUIRE(h.runUntil([&] { return client.responseCount() == 1; }));
  CHECK(client.received().rfind("HTTP/1.1 502 ", 0) == 0);
  CHECK(client.received().find("\r\n\r\nupstream backend: status 101 cannot be relayed\n") !=
        std::string::npos);
  CHECK(h.stop() == 0);
}
