// A drain lets a request already in flight finish: its answer is delivered in full and says
// Connection: close (RFC 9112 section 9.6), so the client knows not to send another on it and
// never races our close. The close that follows is graceful, reason drain.
#include <catch2/catch.hpp>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::CloseReason;
using lifecycle::Phase;

TEST_CASE("an in-flight request finishes during a drain, with Connection: close",
          "[lifecycle][drain]") {
  ServerFixture fixture([](server::WorkerOptions& o) { o.drainTimeout = 10s; });
  RawClient& client = fixture.connect();
  client.send(get("/delay?ms=300"));
  REQUIRE(fixture.runUntil([&] { return fixture.inPhase(Phase::Processing) == 1; }));

  fixture.worker().beginDrain();
  fixture.runFor(50ms);
  CHECK(fixture.inPhase(Phase::Processing) == 1);  // not cut short
  CHECK(client.received().empty());

  REQUIRE(fixture.runUntil([&] { return client.eof() || client.readError() != 0; }, 3s));
  const std::string& wire = client.received();
  CHECK(wire.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(wire.find("\r\nConnection: close\r\n") != std::string::npos);
  CHECK(wire.substr(wire.size() - 12) == "\r\n\r\ndelayed\n");
  CHECK(client.eof());
  CHECK_FALSE(client.resetByPeer());
  CHECK(fixture.closedBy(CloseReason::Drain) == 1);

  client.shutdownWrite();
  REQUIRE(fixture.runUntil([&] { return fixture.worker().finished(); }, 2s));
  CHECK(fixture.closedBy(CloseReason::DrainDeadline) == 0);
}
