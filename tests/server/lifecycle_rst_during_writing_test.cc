// An RST from the client while we write a large answer: the peer is gone (RFC 9293 section
// 3.10.7.4), so nothing is worth finishing. closewise notices it on the read side (it reads in
// every phase) or on the next write, cancels the handler, frees the connection at once and books
// the close as peer_reset.
#include <catch2/catch.hpp>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::CloseReason;
using lifecycle::Phase;

TEST_CASE("an RST while a large answer is written frees the connection at once",
          "[lifecycle][rst]") {
  // A write deadline far beyond the test, so only the RST can end the connection in time.
  ServerFixture fixture([](server::WorkerOptions& o) { o.timeouts.write = 60s; });
  RawClient& client = fixture.connect();
  client.keepOnlyCount(true);
  client.send(get("/bytes?n=50000000"));
  REQUIRE(fixture.runUntil([&] { return client.receivedBytes() > 256 * 1024; }));
  REQUIRE(fixture.inPhase(Phase::Writing) == 1);

  const auto resetAt = std::chrono::steady_clock::now();
  client.reset();
  REQUIRE(fixture.runUntil([&] { return fixture.tally().open == 0; }, 2s));
  CHECK(std::chrono::steady_clock::now() - resetAt < 1s);
  CHECK(fixture.closedBy(CloseReason::PeerReset) == 1);
  CHECK(fixture.tally().closed == 1);
  CHECK(client.receivedBytes() < 50'000'000);

  // The kernel dropped the socket with the RST: nothing of ours is left on the port.
  CHECK(fixture.runUntil(
      [&] {
        return fixture.kernelCount(kernel::TcpState::Established) == 0 &&
               fixture.kernelCount(kernel::TcpState::CloseWait) == 0;
      },
      1s));
}
