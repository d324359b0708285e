// --max-connection-age recycles a connection by time (Envoy's max_connection_duration): the
// first answer given after the connection reached its age says Connection: close, and the
// connection closes gracefully, reason max_age. An answer given before that keeps it.
#include <catch2/catch.hpp>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::CloseReason;
using lifecycle::Phase;

TEST_CASE("the first answer after the maximum age says close", "[lifecycle][recycle]") {
  ServerFixture fixture([](server::WorkerOptions& o) {
    o.timeouts.maxConnectionAge = 300ms;
    o.timeouts.idle = 10s;
  });
  const auto connectedAt = std::chrono::steady_clock::now();
  RawClient& client = fixture.connect();

  client.send(get("/"));
  REQUIRE(fixture.runUntil([&] { return fixture.inPhase(Phase::Idle) == 1; }));
  REQUIRE(std::chrono::steady_clock::now() - connectedAt < 300ms);  // young: kept
  CHECK(client.received().find("Connection: close") == std::string::npos);
  const std::size_t firstAnswerEnds = client.received().size();

  // The age is a fact of the connection only the next answer acts on: wait until it is well
  // past (the connection was accepted a little after connectedAt).
  fixture.runUntil([&] { return std::chrono::steady_clock::now() - connectedAt >= 450ms; }, 1s);
  CHECK(fixture.inPhase(Phase::Idle) == 1);
  client.send(get("/"));
  REQUIRE(fixture.runUntil([&] { return client.eof() || client.readError() != 0; }));
  const std::string second = client.received().substr(firstAnswerEnds);
  CHECK(second.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(second.find("\r\nConnection: close\r\n") != std::string::npos);
  CHECK(client.eof());
  CHECK_FALSE(client.resetByPeer());
  CHECK(fixture.closedBy(CloseReason::MaxAge) == 1);

  client.shutdownWrite();
  REQUIRE(fixture.runUntil([&] { return fixture.tally().open == 0; }));
}
