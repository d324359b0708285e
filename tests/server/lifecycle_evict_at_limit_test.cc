// WorkerOptions::evictAtLimit (the admin listener): at maxConnections a newcomer is served, and
// the connection that has waited longest on its client (idle, or its request still arriving) is
// closed to make room, reason overload. A connection whose handler is at work is never the one;
// when every slot has a handler at work, the newcomer gets the 503 as without the option.
#include <catch2/catch.hpp>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::CloseReason;
using lifecycle::Phase;

namespace {

// What each held connection is doing, oldest first: idle after an answer, a handler at work
// (/delay), and a request head still arriving. Each step waits a few milliseconds so that no
// two share a millisecond of the loop's clock.
struct Held {
  RawClient* idle;
  RawClient* busy;
  RawClient* slowHead;
};

Held holdThree(ServerFixture& fixture) {
  RawClient& idle = fixture.connect();
  idle.send(get("/"));
  REQUIRE(fixture.runUntil([&] { return idle.responseCount() == 1; }));
  fixture.runFor(20ms);
  RawClient& busy = fixture.connect();
  busy.send(get("/delay?ms=60000"));
  REQUIRE(fixture.runUntil([&] { return fixture.inPhase(Phase::Processing) == 1; }));
  fixture.runFor(20ms);
  RawClient& slowHead = fixture.connect();
  slowHead.send("GET / HTTP/1.1\r\nHost: t\r\nX-Slow: a");
  REQUIRE(fixture.runUntil([&] { return fixture.inPhase(Phase::Reading) == 1; }));
  fixture.runFor(20ms);
  return {&idle, &busy, &slowHead};
}

}  // namespace

TEST_CASE("at the limit, the connection waiting longest on its client makes room",
          "[lifecycle][overload][evict]") {
  ServerFixture fixture([](server::WorkerOptions& o) {
    o.maxConnections = 3;
    o.evictAtLimit = true;
  });
  const Held held = holdThree(fixture);

  RawClient& newcomer = fixture.connect();
  newcomer.send(get("/"));
  REQUIRE(fixture.runUntil([&] { return newcomer.responseCount() == 1 && held.idle->eof(); }));
  CHECK(newcomer.received().rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(held.idle->received().find("503") == std::string::npos);
  CHECK(fixture.closedBy(CloseReason::Overload) == 1);

  // Next in line is the slow head: the newcomer went idle after it, and the busy one is never
  // taken.
  RawClient& second = fixture.connect();
  second.send(get("/"));
  REQUIRE(fixture.runUntil([&] { return second.responseCount() == 1 && held.slowHead->eof(); }));
  CHECK(second.received().rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(fixture.closedBy(CloseReason::Overload) == 2);
  CHECK(fixture.inPhase(Phase::Processing) == 1);
  CHECK_FALSE(held.busy->eof());
  CHECK_FALSE(newcomer.eof());
}

TEST_CASE("without evictAtLimit the same newcomer gets the 503", "[lifecycle][overload][evict]") {
  ServerFixture fixture([](server::WorkerOptions& o) { o.maxConnections = 3; });
  const Held held = holdThree(fixture);

  RawClient& newcomer = fixture.connect();
  REQUIRE(fixture.runUntil([&] { return newcomer.eof(); }));
  CHECK(newcomer.received().rfind("HTTP/1.1 503 Service Unavailable\r\n", 0) == 0);
  CHECK_FALSE(held.idle->eof());
  CHECK_FALSE(held.slowHead->eof());
}

TEST_CASE("when every slot has a handler at work, the newcomer gets the 503",
          "[lifecycle][overload][evict]") {
  ServerFixture fixture([](server::WorkerOptions& o) {
    o.maxConnections = 2;
    o.evictAtLimit = true;
  });
  RawClient& first = fixture.connect();
  RawClient& second = fixture.connect();
  first.send(get("/delay?ms=60000"));
  second.send(get("/delay?ms=60000"));
  REQUIRE(fixture.runUntil([&] { return fixture.inPhase(Phase::Processing) == 2; }));

  RawClient& newcomer = fixture.connect();
  REQUIRE(fixture.runUntil([&] { return newcomer.eof(); }));
  CHECK(newcomer.received().rfind("HTTP/1.1 503 Service Unavailable\r\n", 0) == 0);
  CHECK(fixture.inPhase(Phase::Processing) == 2);
  CHECK_FALSE(first.eof());
  CHECK_FALSE(second.eof());
}
