// An upstream that takes the request and never answers: after the pool's response timeout the
// client gets 504 with a body naming the error kind.
#include <catch2/catch.hpp>

#include "tests/app/proxy_harness.h"

using namespace closewise::testing;

TEST_CASE("an upstream that never answers is a 504 naming response_timeout", "[app][proxy]") {
  ProxyHarness h([](FakePeer&, const std::string&) {},
                 [](closewise::upstream::PoolSettings& pool) {
                   pool.timeouts.response = std::chrono::milliseconds(80);
                 });
  RawClient& client = h.connect();
  client.send(ProxyHarness::proxyGet("backend", "/slow"));
  REQUIRE(h.runUntil([&] { return client.responseCount() == 1; }));
  CHECK(client.received().rfind("HTTP/1.1 504 ", 0) == 0);
  CHECK(client.received().find("\r\n\r\nupstream backend: response_timeout\n") !=
        std::string::npos);
  CHECK(h.upstream.requests() == 1);
  CHECK(h.stop() == 0);
}
