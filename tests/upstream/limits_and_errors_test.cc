// At most maxConnections per pool; a burst beyond it waits in the queue, and fails with 503 only
// after the queue timeout. Connect refused is an error at once (502); connect and response
// timeouts are errors (504).
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "tests/upstream/pool_harness.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::CloseReason;
using upstream::ErrorKind;

TEST_CASE("a burst beyond the maximum waits for a connection, then is served", "[pool][limits]") {
  auto settings = fastSettings();
  settings.maxConnections = 2;
  settings.queueTimeout = 2'000ms;
  settings.timeouts.response = 2'000ms;
  std::vector<FakePeer*> waiting;
  PoolHarness h([&](FakePeer& peer, const std::string&) { waiting.push_back(&peer); }, settings);
  for (int i = 0; i < 6; ++i) h.send();
  REQUIRE(h.fx.runUntil([&] { return waiting.size() == 2; }));
  h.fx.runFor(20ms);
  CHECK(h.upstream.accepted() == 2);
  CHECK(h.books().connections.open == 2);
  CHECK(h.books().queued == 4);
  // Answer as requests arrive: the queue drains through the same two connections.
  h.upstream.setScript([](FakePeer& peer, const std::string&) { peer.send(okResponse("x")); });
  for (FakePeer* peer : waiting) peer->send(okResponse("x"));
  REQUIRE(h.fx.runUntil([&] {
    for (int i = 0; i < 6; ++i)
      if (!h.outcome(i).ended) return false;
    return true;
  }));
  CHECK(h.upstream.accepted() == 2);
  CHECK(h.books().connections.reuses == 4);
}

TEST_CASE("the queue timeout fails a waiting request with 503", "[pool][limits]") {
  auto settings = fastSettings();
  settings.maxConnections = 1;
  settings.queueTimeout = 30ms;
  settings.timeouts.response = 2'000ms;
  PoolHarness h([](FakePeer&, const std::string&) {}, settings);
  h.send();
  Outcome& second = h.send();
  REQUIRE(h.runUntilDone(second));
  REQUIRE(second.error);
  CHECK(second.error->kind == ErrorKind::QueueTimeout);
  CHECK(upstream::proxyStatus(second.error->kind) == 503);
  CHECK(h.errors(ErrorKind::QueueTimeout) == 1);
}

TEST_CASE("connect refused is an error at once", "[pool][limits]") {
  PoolHarness h(refusingPort());
  Outcome& a = h.send();
  REQUIRE(h.runUntilDone(a, 500ms));
  REQUIRE(a.error);
  CHECK(a.error->kind == ErrorKind::ConnectRefused);
  CHECK(upstream::proxyStatus(a.error->kind) == 502);
  CHECK(h.closedBy(CloseReason::ConnectRefused) == 1);
}

TEST_CASE("no response head within the response timeout is a 504", "[pool][limits]") {
  auto settings = fastSettings();
  settings.timeouts.response = 100ms;
  PoolHarness h([](FakePeer&, const std::string&) {}, settings);  // reads, never answers
  Outcome& a = h.send();
  REQUIRE(h.runUntilDone(a));
  REQUIRE(a.error);
  CHECK(a.error->kind == ErrorKind::ResponseTimeout);
  CHECK(upstream::proxyStatus(a.error->kind) == 504);
  CHECK(h.closedBy(CloseReason::ResponseTimeout) == 1);
}

TEST_CASE("a stalled response body is a body timeout", "[pool][limits]") {
  auto settings = fastSettings();
  settings.timeouts.stall = 100ms;
  PoolHarness h(
      [](FakePeer& peer, const std::string&) {
        peer.send("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
      },
      settings);
  Outcome& a = h.send();
  REQUIRE(h.runUntilDone(a));
  REQUIRE(a.error);
  CHECK(a.status == 200);
  CHECK(a.error->kind == ErrorKind::BodyTimeout);
  CHECK(h.closedBy(CloseReason::BodyTimeout) == 1);
}

TEST_CASE("a handshake that never finishes is a connect timeout, 504", "[pool][limits]") {
  // A listener whose accept queue is full and whose SYNs are dropped never completes a
  // handshake: a backlog of 0 with one connection already waiting does it on Linux.
  auto settings = fastSettings();
  settings.timeouts.connect = 40ms;
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  socklen_t len = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &len);
  REQUIRE(::listen(fd, 0) == 0);
  const int filler = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  ::connect(filler, reinterpret_cast<sockaddr*>(&address), sizeof address);
  {
    PoolHarness h(ntohs(address.sin_port), settings);
    h.fx.runFor(20ms);  // let the filler's handshake complete and fill the queue
    Outcome& a = h.send();
    REQUIRE(h.runUntilDone(a));
    REQUIRE(a.error);
    CHECK(a.error->kind == ErrorKind::ConnectTimeout);
    CHECK(upstream::proxyStatus(a.error->kind) == 504);
    CHECK(h.closedBy(CloseReason::ConnectTimeout) == 1);
  }
  ::close(filler);
  ::close(fd);
}
