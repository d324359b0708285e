// A FIN in the middle of a request head: the client can never finish the request, so there is
// nothing to answer (RFC 9112 section 9.6 asks us to answer only complete requests) and waiting
// out the header deadline would only hold the socket in CLOSE_WAIT. closewise closes at once.
#include <catch2/catch.hpp>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::CloseReason;
using lifecycle::Phase;

TEST_CASE("a FIN after a partial request head closes the connection at once", "[lifecycle][fin]") {
  ServerFixture fixture([](server::WorkerOptions& o) { o.timeouts.header = 30s; });
  RawClient& client = fixture.connect();
  client.send("GET / HTTP/1.1\r\nHost: te");
  REQUIRE(fixture.runUntil([&] { return fixture.tally().accepted == 1; }));
  REQUIRE(
      fixture.runUntil([&] { return fixture.kernelCount(kernel::TcpState::Established) == 1; }));
  CHECK(fixture.inPhase(Phase::Reading) == 1);

  const auto finAt = std::chrono::steady_clock::now();
  client.shutdownWrite();
  REQUIRE(fixture.runUntil([&] { return client.eof() || client.readError() != 0; }, 2s));
  CHECK(std::chrono::steady_clock::now() - finAt < 1s);

  // No answer to a request that never arrived: EOF with no bytes, and no RST.
  CHECK(client.eof());
  CHECK(client.received().empty());
  CHECK_FALSE(client.resetByPeer());

  REQUIRE(fixture.runUntil([&] { return fixture.tally().open == 0; }, 1s));
  CHECK(fixture.closedBy(CloseReason::PeerClosed) == 1);
  CHECK(fixture.closedBy(CloseReason::HeaderTimeout) == 0);
  CHECK(fixture.tally().requests == 0);
  CHECK(
      fixture.runUntil([&] { return fixture.kernelCount(kernel::TcpState::CloseWait) == 0; }, 1s));
}
