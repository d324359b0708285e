// The keep-alive race: a request sent on a reused connection that the upstream closes before any
// byte of the response is retried once on a fresh connection and counted, when it is idempotent
// or its body was not sent; otherwise the caller gets the error. A fresh connection's failure is
// never retried.
#include <catch2/catch.hpp>

#include "tests/upstream/pool_harness.h"

using namespace closewise;
using namespace closewise::testing;
using upstream::ErrorKind;

namespace {

// The first connection answers its first request, then drops the second one without a byte:
// closed (FIN) or reset (RST), as an upstream whose keep-alive timer fired as we sent. Later
// connections answer everything.
FakeUpstream::Script raceOnFirstConnection(bool reset) {
  return [reset](FakePeer& peer, const std::string&) {
    if (peer.index() == 0 && peer.requests() == 2) {
      if (reset) {
        peer.reset();
      } else {
        peer.close();
      }
      return;
    }
    peer.send(okResponse("fine"));
  };
}

}  // namespace

TEST_CASE("an idempotent request that meets the race is retried once", "[pool][race]") {
  const bool reset = GENERATE(false, true);
  PoolHarness h(raceOnFirstConnection(reset));
  REQUIRE(h.runUntilDone(h.send()));
  Outcome& second = h.send(get("/again"));
  REQUIRE(h.runUntilDone(second));
  CHECK_FALSE(second.error);
  CHECK(second.body == "fine");
  CHECK(h.books().retries == 1);
  CHECK(h.upstream.accepted() == 2);
}

TEST_CASE("a POST without a body is retried, a POST whose body went out is not", "[pool][race]") {
  PoolHarness h(raceOnFirstConnection(false));
  REQUIRE(h.runUntilDone(h.send()));
  Outcome& empty = h.send({"POST", "/", {}, {}});
  REQUIRE(h.runUntilDone(empty));
  CHECK_FALSE(empty.error);
  CHECK(h.books().retries == 1);

  // The retry opened connection 1, which now is the pooled one; make it drop its next request.
  h.upstream.setScript([](FakePeer& peer, const std::string&) {
    if (peer.requests() >= 2) {
      peer.close();
      return;
    }
    peer.send(okResponse("fine"));
  });
  Outcome& withBody = h.send({"POST", "/", {}, "payload"});
  REQUIRE(h.runUntilDone(withBody));
  REQUIRE(withBody.error);
  CHECK(withBody.error->kind == ErrorKind::UpstreamClosed);
  CHECK(upstream::proxyStatus(withBody.error->kind) == 502);
  CHECK(h.books().retries == 1);
}

TEST_CASE("a fresh connection that fails is never retried", "[pool][race]") {
  PoolHarness h([](FakePeer& peer, const std::string&) { peer.close(); });
  Outcome& a = h.send();
  REQUIRE(h.runUntilDone(a));
  REQUIRE(a.error);
  CHECK(a.error->kind == ErrorKind::UpstreamClosed);
  CHECK(h.books().retries == 0);
  CHECK(h.upstream.accepted() == 1);
}

TEST_CASE("a retry that fails again reaches the caller", "[pool][race]") {
  PoolHarness h([](FakePeer& peer, const std::string&) {
    if (peer.index() == 0 && peer.requests() == 1) {
      peer.send(okResponse("fine"));
      return;
    }
    peer.close();  // the race on connection 0, then a fresh connection that fails too
  });
  REQUIRE(h.runUntilDone(h.send()));
  Outcome& second = h.send();
  REQUIRE(h.runUntilDone(second));
  REQUIRE(second.error);
  CHECK(h.books().retries == 1);
  CHECK(h.upstream.accepted() == 2);
}

TEST_CASE("a response byte before the failure means no retry", "[pool][race]") {
  PoolHarness h([](FakePeer& peer, const std::string&) {
    if (peer.requests() == 1) {
      peer.send(okResponse("fine"));
      return;
    }
    peer.send("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhal");
    peer.close();
  });
  REQUIRE(h.runUntilDone(h.send()));
  Outcome& second = h.send();
  REQUIRE(h.runUntilDone(second));
  REQUIRE(second.error);
  CHECK(second.error->kind == ErrorKind::UpstreamClosed);
  CHECK(h.books().retries == 0);
}
