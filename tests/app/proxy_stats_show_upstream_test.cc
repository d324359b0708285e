// A proxied request shows in /stats under its upstream: one connect, then a request that reuses
// the pooled connection, and the idle connection it is left in; the kernel sees that socket
// toward the upstream as ESTABLISHED.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/app/proxy_harness.h"

using namespace closewise::testing;
using nlohmann::json;

TEST_CASE("a proxied request shows in /stats under its upstream", "[app][proxy][admin]") {
  ProxyHarness h([](FakePeer& peer, const std::string&) { peer.send(okResponse("hi\n")); });
  RawClient& client = h.connect();
  client.send(ProxyHarness::proxyGet("backend", "/a"));
  client.send(ProxyHarness::proxyGet("backend", "/b"));
  REQUIRE(h.runUntil([&] { return client.responseCount() == 2; }));
  REQUIRE(
      h.runUntil([&] { return h.books().connections.in(closewise::lifecycle::Phase::Idle) == 1; }));

  const json up = json::parse(h.stats())["upstreams"];
  REQUIRE(up.contains("backend"));
  const json& b = up["backend"];
  CHECK(b["url"] == "http://127.0.0.1:" + std::to_string(h.upstream.port()));
  CHECK(b["totals"]["requests"] == 2);
  CHECK(b["totals"]["connects"] == 1);
  CHECK(b["totals"]["reuses"] == 1);
  CHECK(b["connections"]["idle"] == 1);
  CHECK(b["connections"]["active"] == 0);
  CHECK(b["kernel"]["ESTABLISHED"] == 1);  // the pooled socket, as the kernel sees it
  CHECK(h.stop() == 0);
}
