// A FIN on an idle keep-alive connection means the client is done: there is no request to
// answer, so closewise closes at once (reason peer_closed). A server that waited for its idle
// timeout instead would leave the socket in CLOSE_WAIT for that long, which is how fds leak.
#include <catch2/catch.hpp>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::CloseReason;
using lifecycle::Phase;

TEST_CASE("a FIN on an idle connection closes it at once, leaving no CLOSE_WAIT",
          "[lifecycle][fin]") {
  // The idle deadline is long, so a close inside the test's limits cannot be the idle timeout.
  ServerFixture fixture([](server::WorkerOptions& o) { o.timeouts.idle = 30s; });
  RawClient& client = fixture.connect();
  client.send(get("/"));
  REQUIRE(fixture.runUntil([&] { return fixture.inPhase(Phase::Idle) == 1; }));
  REQUIRE(client.responseCount() == 1);
  CHECK(client.received().find("Connection: close") == std::string::npos);
  // Our side of the connection is established in the kernel before the FIN.
  REQUIRE(fixture.kernelCount(kernel::TcpState::Established) == 1);

  const auto finAt = std::chrono::steady_clock::now();
  client.shutdownWrite();
  REQUIRE(fixture.runUntil([&] { return fixture.tally().open == 0; }, 2s));
  const auto took = std::chrono::steady_clock::now() - finAt;
  CHECK(took < 1s);
  CHECK(fixture.closedBy(CloseReason::PeerClosed) == 1);
  CHECK(fixture.closedBy(CloseReason::IdleTimeout) == 0);

  REQUIRE(fixture.runUntil([&] { return client.eof() || client.readError() != 0; }, 2s));
  CHECK(client.eof());
  CHECK_FALSE(client.resetByPeer());

  // The kernel agrees: nothing of ours waits in CLOSE_WAIT (or in LAST_ACK for long).
  CHECK(fixture.runUntil(
      [&] {
        return fixture.kernelCount(kernel::TcpState::CloseWait) == 0 &&
               fixture.kernelCount(kernel::TcpState::Established) == 0;
      },
      1s));
}
