// --max-connections sheds load at the door: a connection above the limit is accepted, answered a
// minimal 503 with Connection: close (RFC 9110 section 15.6.4), and closed gracefully, reason
// overload. Accepting and answering, rather than leaving it in the backlog, tells the client at
// once to go elsewhere; the connections already admitted are not touched.
#include <catch2/catch.hpp>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::CloseReason;
using lifecycle::Phase;

TEST_CASE("with max-connections 2, the 3rd connection gets a 503 and the first two are served",
          "[lifecycle][overload]") {
  ServerFixture fixture([](server::WorkerOptions& o) { o.maxConnections = 2; });
  RawClient& first = fixture.connect();
  RawClient& second = fixture.connect();
  REQUIRE(fixture.runUntil([&] { return fixture.tally().accepted == 2; }));

  RawClient& third = fixture.connect();
  REQUIRE(fixture.runUntil([&] { return third.eof() || third.readError() != 0; }));
  const std::string& wire = third.received();
  CHECK(wire.rfind("HTTP/1.1 503 Service Unavailable\r\n", 0) == 0);
  CHECK(wire.find("\r\nConnection: close\r\n") != std::string::npos);
  CHECK(wire.substr(wire.size() - 33) == "overloaded: too many connections\n");
  CHECK(third.eof());
  CHECK_FALSE(third.resetByPeer());
  CHECK(fixture.closedBy(CloseReason::Overload) == 1);

  // The two admitted connections are untouched and still served, on the same connection.
  first.send(get("/"));
  second.send(get("/"));
  REQUIRE(
      fixture.runUntil([&] { return first.responseCount() == 1 && second.responseCount() == 1; }));
  for (RawClient* c : {&first, &second}) {
    CHECK(c->received().rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(c->received().find("Connection: close") == std::string::npos);
    CHECK_FALSE(c->eof());
  }
  CHECK(fixture.inPhase(Phase::Idle) == 2);
  CHECK(fixture.tally().closed == 1);

  third.shutdownWrite();
  CHECK(fixture.runUntil([&] { return fixture.tally().open == 2; }));
}
