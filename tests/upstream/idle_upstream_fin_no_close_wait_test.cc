// No CLOSE_WAIT in the pool: an idle pooled connection keeps reading, so when the upstream sends
// FIN (or RST) the pool closes it at once, counted as upstream_closed (upstream_reset), and the
// kernel shows no CLOSE_WAIT for it.
#include <catch2/catch.hpp>

#include "tests/upstream/pool_harness.h"
#include "tests/upstream/tcp_table.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::CloseReason;
using lifecycle::Phase;

TEST_CASE("an upstream FIN on an idle pooled connection closes it at once", "[pool]") {
  PoolHarness h([](FakePeer& peer, const std::string&) { peer.send(okResponse("hi")); });
  Outcome& first = h.send();
  REQUIRE(h.runUntilDone(first));
  CHECK(first.body == "hi");
  REQUIRE(h.books().connections.in(Phase::Idle) == 1);
  const std::uint16_t ours = h.upstream.peer(0).remotePort();
  REQUIRE(tcpSockets(ours, h.upstream.port(), "ESTABLISHED") == 1);

  h.upstream.peer(0).fin();
  REQUIRE(h.fx.runUntil([&] { return h.books().connections.open == 0; }, 1s));
  CHECK(h.closedBy(CloseReason::UpstreamClosed) == 1);
  CHECK(tcpSockets(ours, h.upstream.port(), "CLOSE_WAIT") == 0);
  // We closed after their FIN: our side went through LAST_ACK, theirs holds the TIME_WAIT.
  CHECK(h.fx.runUntil([&] { return h.upstream.peer(0).eofSeen(); }, 1s));

  // The next request opens a fresh connection rather than writing into a dead one.
  Outcome& second = h.send();
  REQUIRE(h.runUntilDone(second));
  CHECK(second.status == 200);
  CHECK(h.upstream.accepted() == 2);
  CHECK(h.books().retries == 0);
}

TEST_CASE("an upstream RST on an idle pooled connection closes it at once", "[pool]") {
  PoolHarness h([](FakePeer& peer, const std::string&) { peer.send(okResponse("hi")); });
  Outcome& first = h.send();
  REQUIRE(h.runUntilDone(first));
  REQUIRE(h.books().connections.in(Phase::Idle) == 1);
  h.upstream.peer(0).reset();
  REQUIRE(h.fx.runUntil([&] { return h.books().connections.open == 0; }, 1s));
  CHECK(h.closedBy(CloseReason::UpstreamReset) == 1);
}
