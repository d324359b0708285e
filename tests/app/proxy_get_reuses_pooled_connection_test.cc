// A proxied GET answers the upstream's body; the request the upstream sees carries the origin's
// authority in Host, a Via, and none of the client's hop-by-hop fields; and a second request
// goes out on the connection the first one left in the pool.
#include <catch2/catch.hpp>

#include "tests/app/proxy_harness.h"

using namespace closewise::testing;

TEST_CASE("a proxied GET answers the upstream's body and reuses the pooled connection",
          "[app][proxy]") {
  std::string seen;
  ProxyHarness h([&seen](FakePeer& peer, const std::string& request) {
    seen = request;
    peer.send(okResponse("hello from upstream\n"));
  });
  RawClient& client = h.connect();
  client.send(ProxyHarness::proxyGet("backend", "/hello",
                                     "Connection: keep-alive, X-Hop\r\nX-Hop: 1\r\nX-End: 2\r\n"));
  REQUIRE(h.runUntil(
      [&] { return client.received().find("hello from upstream\n") != std::string::npos; }));
  CHECK(client.received().rfind("HTTP/1.1 200 ", 0) == 0);
  CHECK(seen.rfind("GET /hello HTTP/1.1\r\n", 0) == 0);
  CHECK(seen.find("Host: 127.0.0.1:" + std::to_string(h.upstream.port()) + "\r\n") !=
        std::string::npos);
  CHECK(seen.find("Via: 1.1 closewise\r\n") != std::string::npos);
  CHECK(seen.find("X-End: 2\r\n") != std::string::npos);
  CHECK(seen.find("X-Hop") == std::string::npos);
  CHECK(seen.find("Host: test") == std::string::npos);

  client.send(ProxyHarness::proxyGet("backend", "/again"));
  REQUIRE(h.runUntil([&] { return client.responseCount() == 2; }));
  CHECK(h.upstream.requests() == 2);
  CHECK(h.upstream.accepted() == 1);
  CHECK(h.books().connections.reuses == 1);
  CHECK(h.stop() == 0);
}
