// Who closes first keeps the TIME_WAIT (RFC 9293 section 3.6): when the pool closes an idle
// connection (idle timeout), the four-tuple waits on our side; when the upstream closes first,
// it waits on the upstream's side and ours is gone at once.
#include <catch2/catch.hpp>

#include "tests/upstream/pool_harness.h"
#include "tests/upstream/tcp_table.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::CloseReason;

TEST_CASE("our idle timeout puts the TIME_WAIT on our side", "[pool][time_wait]") {
  auto settings = fastSettings();
  settings.timeouts.idle = 30ms;
  PoolHarness h([](FakePeer& peer, const std::string&) { peer.send(okResponse("x")); }, settings);
  REQUIRE(h.runUntilDone(h.send()));
  const std::uint16_t ours = h.upstream.peer(0).remotePort();
  const std::uint16_t theirs = h.upstream.port();
  REQUIRE(h.fx.runUntil([&] { return h.closedBy(CloseReason::IdleTimeout) == 1; }, 1s));
  // The fake upstream closes its end when it sees our FIN.
  REQUIRE(h.fx.runUntil([&] { return h.upstream.peer(0).eofSeen(); }, 1s));
  h.upstream.peer(0).close();
  CHECK(h.fx.runUntil([&] { return tcpSockets(ours, theirs, "TIME_WAIT") == 1; }, 1s));
  CHECK(tcpSockets(theirs, ours, "TIME_WAIT") == 0);
}

TEST_CASE("the upstream closing first puts the TIME_WAIT on its side", "[pool][time_wait]") {
  PoolHarness h([](FakePeer& peer, const std::string&) { peer.send(okResponse("x")); });
  REQUIRE(h.runUntilDone(h.send()));
  const std::uint16_t ours = h.upstream.peer(0).remotePort();
  const std::uint16_t theirs = h.upstream.port();
  h.upstream.peer(0).close();
  REQUIRE(h.fx.runUntil([&] { return h.closedBy(CloseReason::UpstreamClosed) == 1; }, 1s));
  CHECK(h.fx.runUntil([&] { return tcpSockets(theirs, ours, "TIME_WAIT") == 1; }, 1s));
  CHECK(tcpSockets(ours, theirs, "TIME_WAIT") == 0);
  CHECK(tcpSockets(ours, theirs, "CLOSE_WAIT") == 0);
}
