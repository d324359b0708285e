// The pool's books: connections by phase, connects, requests, reuses, errors by kind, and the
// list of its own sockets (local and remote address) that the admin matches to sock_diag.
#include <netinet/in.h>

#include <catch2/catch.hpp>

#include "kernel/address.h"
#include "tests/upstream/pool_harness.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::Phase;

TEST_CASE("the books count what happened and list the pool's sockets", "[pool][books]") {
  PoolHarness h([](FakePeer& peer, const std::string&) { peer.send(okResponse("x")); });
  REQUIRE(h.runUntilDone(h.send()));
  REQUIRE(h.runUntilDone(h.send()));

  const upstream::PoolSnapshot s = h.books();
  CHECK(s.connections.connects == 1);
  CHECK(s.connections.requests == 2);
  CHECK(s.connections.reuses == 1);
  CHECK(s.connections.in(Phase::Idle) == 1);
  CHECK(s.connections.active() == 0);
  CHECK(s.queued == 0);

  const auto sockets = h.pool->sockets();
  REQUIRE(sockets.size() == 1);
  CHECK(kernel::formatSocketAddress(sockets[0].remote) ==
        "127.0.0.1:" + std::to_string(h.upstream.port()));
  CHECK(kernel::formatSocketAddress(sockets[0].local) ==
        "127.0.0.1:" + std::to_string(h.upstream.peer(0).remotePort()));

  h.upstream.peer(0).close();
  REQUIRE(h.fx.runUntil([&] { return h.books().connections.open == 0; }, 1s));
  CHECK(h.pool->sockets().empty());
}

TEST_CASE("errors are counted by kind", "[pool][books]") {
  PoolHarness h(refusingPort());
  REQUIRE(h.runUntilDone(h.send(), 500ms));
  REQUIRE(h.runUntilDone(h.send(), 500ms));
  CHECK(h.errors(upstream::ErrorKind::ConnectRefused) == 2);
  CHECK(h.errors(upstream::ErrorKind::ConnectTimeout) == 0);
  CHECK(upstream::errorKindName(upstream::ErrorKind::ConnectRefused) == "connect_refused");
  CHECK(upstream::errorKindName(upstream::ErrorKind::PortsExhausted) == "ports_exhausted");
  CHECK(upstream::errorKindName(upstream::ErrorKind::QueueTimeout) == "queue_timeout");
}
