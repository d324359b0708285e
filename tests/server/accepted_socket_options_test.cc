// The socket options every connection needs (TCP_NODELAY, TCP_NOTSENT_LOWAT, and keepalive when
// --tcp-keepalive is on) are set once on the listening socket, not per accept. That is correct
// only because Linux clones an accepted socket from its listener, options included; this test
// reads them back from the accepted socket so it fails on any kernel where that stops being so.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <catch2/catch.hpp>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

namespace {

int option(int fd, int level, int name) {
  int value = -1;
  socklen_t len = sizeof value;
  if (getsockopt(fd, level, name, &value, &len) != 0) return -1;
  return value;
}

// The server's side of its only connection, once it is idle after one answer.
int acceptedFd(ServerFixture& fixture) {
  RawClient& client = fixture.connect();
  client.send(get("/"));
  if (!fixture.runUntil([&] { return fixture.inPhase(lifecycle::Phase::Idle) == 1; })) return -1;
  int fd = -1;
  fixture.worker().forEachConnection([&](server::Connection& c) { fd = c.fd(); });
  return fd;
}

}  // namespace

TEST_CASE("an accepted socket has TCP_NODELAY and TCP_NOTSENT_LOWAT from its listener") {
  ServerFixture fixture;
  const int fd = acceptedFd(fixture);
  REQUIRE(fd >= 0);
  CHECK(option(fd, IPPROTO_TCP, TCP_NODELAY) == 1);
  CHECK(option(fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT) ==
        server::AcceptedSocketOptions{}.notSentLowWater);
  // Off by default: keepalive probes only where --tcp-keepalive asks for them.
  CHECK(option(fd, SOL_SOCKET, SO_KEEPALIVE) == 0);
}

TEST_CASE("with --tcp-keepalive an accepted socket has SO_KEEPALIVE and the probe timings") {
  ServerFixture fixture([](server::WorkerOptions& o) { o.tcpKeepalive = 20s; });
  const int fd = acceptedFd(fixture);
  REQUIRE(fd >= 0);
  CHECK(option(fd, SOL_SOCKET, SO_KEEPALIVE) == 1);
  CHECK(option(fd, IPPROTO_TCP, TCP_KEEPIDLE) == 20);
  CHECK(option(fd, IPPROTO_TCP, TCP_KEEPINTVL) == 5);
  CHECK(option(fd, IPPROTO_TCP, TCP_KEEPCNT) == 4);
}
