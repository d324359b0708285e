// The worker's drain drains its pools when it stops taking connections: the idle pooled
// connection closes at once (the upstream sees our FIN) while a proxied request still in flight
// is answered in full, and only then does the process end.
#include <catch2/catch.hpp>

#include "tests/app/proxy_harness.h"

using namespace closewise::testing;

TEST_CASE("a drain closes idle pooled connections at once and lets in-flight ones finish",
          "[app][proxy][drain]") {
  FakePeer* slow = nullptr;
  ProxyHarness h([&slow](FakePeer& peer, const std::string& request) {
    if (request.rfind("GET /slow", 0) == 0) {
      slow = &peer;
      return;
    }
    peer.send(okResponse("quick"));
  });
  RawClient& waiting = h.connect();
  waiting.send(ProxyHarness::proxyGet("backend", "/slow"));
  REQUIRE(h.runUntil([&] { return slow != nullptr; }));
  RawClient& quick = h.connect();
  quick.send(ProxyHarness::proxyGet("backend", "/quick"));
  REQUIRE(h.runUntil([&] { return quick.responseCount() == 1; }));
  REQUIRE(h.upstream.accepted() == 2);
  FakePeer& idle = h.upstream.peer(1);
  REQUIRE(&idle != slow);

  h.beginDrain();
  REQUIRE(h.runUntil([&] { return idle.eofSeen(); }, std::chrono::seconds(1)));
  CHECK_FALSE(slow->eofSeen());
  CHECK(waiting.responseCount() == 0);

  slow->send(okResponse("late but whole"));
  REQUIRE(
      h.runUntil([&] { return waiting.received().find("late but whole") != std::string::npos; }));
  CHECK(waiting.received().rfind("HTTP/1.1 200 ", 0) == 0);
  CHECK(h.stop() == 0);
  CHECK(h.poolSockets() == 0);
}
