// /proxy/NAME/PATH?QUERY sends PATH?QUERY to the upstream; X-Forwarded-For gains our client after
// any addresses a proxy in front of us wrote; /proxy/NAME alone asks for "/"; and the client's own
// port never appears in it.
#include <catch2/catch.hpp>

#include "tests/app/proxy_harness.h"

using namespace closewise::testing;

TEST_CASE("the proxied target keeps its path and query, and X-Forwarded-For names our client",
          "[app][proxy]") {
  std::vector<std::string> seen;
  ProxyHarness h([&seen](FakePeer& peer, const std::string& request) {
    seen.push_back(request);
    peer.send(okResponse("ok\n"));
  });
  RawClient& client = h.connect();
  client.send(ProxyHarness::proxyGet("backend", "/a/b?x=1&y=%20",
                                     "X-Forwarded-For: 203.0.113.9, 10.0.0.1\r\n"));
  REQUIRE(h.runUntil([&] { return client.responseCount() == 1; }));
  client.send("GET /proxy/backend HTTP/1.1\r\nHost: test\r\n\r\n");
  REQUIRE(h.runUntil([&] { return client.responseCount() == 2; }));
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].rfind("GET /a/b?x=1&y=%20 HTTP/1.1\r\n", 0) == 0);
  CHECK(seen[0].find("X-Forwarded-For: 203.0.113.9, 10.0.0.1, 127.0.0.1\r\n") != std::string::npos);
  CHECK(seen[1].rfind("GET / HTTP/1.1\r\n", 0) == 0);
  CHECK(seen[1].find("X-Forwarded-For: 127.0.0.1\r\n") != std::string::npos);
  CHECK(h.stop() == 0);
}

TEST_CASE("/proxy/ without a name is 404 with the usage", "[app][proxy]") {
  ProxyHarness h([](FakePeer& peer, const std::string&) { peer.send(okResponse("ok\n")); });
  RawClient& client = h.connect();
  client.send("GET /proxy//x HTTP/1.1\r\nHost: test\r\n\r\n");
  REQUIRE(h.runUntil([&] { return client.responseCount() == 1; }));
  CHECK(client.received().rfind("HTTP/1.1 404 ", 0) == 0);
  CHECK(client.received().find("usage: /proxy/NAME/PATH") != std::string::npos);
  CHECK(h.stop() == 0);
}
