// Who closes first decides where TIME_WAIT lands (RFC 9293 section 3.6), and /stats shows both
// sides of it under the upstream: when the pool closes an idle connection, the close reason is
// idle_timeout and our end of the socket waits in TIME_WAIT toward the upstream; when the
// upstream closes first, the reason is upstream_closed and no TIME_WAIT is left on our side.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/app/proxy_harness.h"

using namespace closewise::testing;
using closewise::lifecycle::Phase;
using nlohmann::json;

namespace {

json backendStats(ProxyHarness& h) {
  return json::parse(h.stats())["upstreams"]["backend"];
}

void proxyOnce(ProxyHarness& h) {
  RawClient& client = h.connect();
  client.send(ProxyHarness::proxyGet("backend", "/a"));
  REQUIRE(h.runUntil([&] { return client.responseCount() == 1; }));
}

}  // namespace

TEST_CASE("the pool closing an idle connection leaves TIME_WAIT on our side",
          "[app][proxy][admin]") {
  FakePeer* upstreamEnd = nullptr;
  ProxyHarness h(
      [&upstreamEnd](FakePeer& peer, const std::string&) {
        upstreamEnd = &peer;
        peer.send(okResponse("hi\n"));
      },
      [](closewise::upstream::PoolSettings& pool) { pool.timeouts.idle = 50ms; });
  proxyOnce(h);
  REQUIRE(upstreamEnd != nullptr);
  // Our FIN reaches the upstream; until it answers with its own, our end waits in FIN_WAIT2.
  REQUIRE(h.runUntil([&] { return upstreamEnd->eofSeen(); }));
  json b;
  REQUIRE(h.runUntil([&] {
    b = backendStats(h);
    return b["kernel"]["FIN_WAIT2"] == 1;
  }));
  CHECK(b["totals"]["closed_by_reason"]["idle_timeout"] == 1);
  CHECK(b["totals"]["closed_by_reason"]["upstream_closed"] == 0);
  CHECK(b["totals"]["closed_first_by"]["us"] == 1);
  CHECK(b["totals"]["closed_first_by"]["upstream"] == 0);

  upstreamEnd->close();
  REQUIRE(h.runUntil([&] {
    b = backendStats(h);
    return b["kernel"]["TIME_WAIT"] == 1;
  }));
  CHECK(b["kernel"]["ESTABLISHED"] == 0);
  CHECK(b["kernel"]["FIN_WAIT2"] == 0);
  CHECK(h.stop() == 0);
}

TEST_CASE("the upstream closing first leaves no TIME_WAIT on our side", "[app][proxy][admin]") {
  ProxyHarness h([](FakePeer& peer, const std::string&) {
    peer.send(okResponse("hi\n"));
    peer.close();
  });
  proxyOnce(h);
  // Seen while the connection is still pooled, so the admin knows where it went.
  (void)backendStats(h);
  REQUIRE(h.runUntil([&] { return h.books().connections.closed == 1; }));

  json b;
  REQUIRE(h.runUntil([&] {
    b = backendStats(h);
    return b["kernel"]["ESTABLISHED"] == 0 && b["kernel"]["CLOSE_WAIT"] == 0 &&
           b["kernel"]["LAST_ACK"] == 0;
  }));
  CHECK(b["totals"]["closed_by_reason"]["upstream_closed"] == 1);
  CHECK(b["totals"]["closed_by_reason"]["idle_timeout"] == 0);
  CHECK(b["totals"]["closed_first_by"]["upstream"] == 1);
  CHECK(b["totals"]["closed_first_by"]["us"] == 0);
  CHECK(b["kernel"]["TIME_WAIT"] == 0);
  CHECK(h.stop() == 0);
}
