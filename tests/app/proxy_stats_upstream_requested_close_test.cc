// An upstream that answers with Connection: close ends the connection itself (RFC 9112 section
// 9.6), so /stats counts that close as the upstream's under closed_first_by, beside the closes
// its plain FIN makes: the dashboard's "they closed" column reads the same figure.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/app/proxy_harness.h"

using namespace closewise::testing;
using nlohmann::json;

TEST_CASE("a Connection: close answer counts as the upstream closing first",
          "[app][proxy][admin]") {
  ProxyHarness h([](FakePeer& peer, const std::string&) {
    peer.send(okResponse("hi\n", "Connection: close\r\n"));
    peer.close();
  });
  RawClient& client = h.connect();
  client.send(ProxyHarness::proxyGet("backend", "/a"));
  REQUIRE(h.runUntil([&] { return client.responseCount() == 1; }));
  REQUIRE(h.runUntil([&] { return h.books().connections.closed == 1; }));

  const json totals = json::parse(h.stats())["upstreams"]["backend"]["totals"];
  CHECK(totals["closed_by_reason"]["upstream_requested"] == 1);
  CHECK(totals["closed_first_by"]["upstream"] == 1);
  CHECK(totals["closed_first_by"]["us"] == 0);
  CHECK(h.stop() == 0);
}
