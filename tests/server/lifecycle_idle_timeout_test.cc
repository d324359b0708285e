// The keep-alive gap. When it passes, closewise closes gracefully: FIN (the client reads EOF),
// then lingers until the client's FIN. Closing first puts the TIME_WAIT on our side, which is
// why the default idle timeout is longer than a load balancer's: it should be the balancer
// that closes an idle connection, never us while it is sending (the 502 race of docs/lifecycle.md).
#include <catch2/catch.hpp>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::CloseReason;
using lifecycle::Phase;

TEST_CASE("an idle keep-alive connection gets our FIN at the idle deadline",
          "[lifecycle][deadline]") {
  ServerFixture fixture([](server::WorkerOptions& o) { o.timeouts.idle = 150ms; });
  RawClient& client = fixture.connect();
  client.send(get("/"));
  REQUIRE(fixture.runUntil([&] { return fixture.inPhase(Phase::Idle) == 1; }));
  const auto idleSince = std::chrono::steady_clock::now();
  REQUIRE(client.responseCount() == 1);
  CHECK(client.received().find("Connection: close") == std::string::npos);

  REQUIRE(fixture.runUntil([&] { return client.eof() || client.readError() != 0; }, 3s));
  const auto took = std::chrono::steady_clock::now() - idleSince;
  INFO("FIN after " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                    << " ms idle");
  // Lower bounds are loose on purpose: deadlines run on the loop's cached clock (uv_now), which
  // can lag the moment the test observed, so "not early" is checked with room to spare.
  CHECK(took >= 100ms);
  CHECK(took < 1500ms);
  CHECK(client.eof());
  CHECK_FALSE(client.resetByPeer());
  CHECK(client.responseCount() == 1);  // no answer accompanies an idle close
  CHECK(fixture.closedBy(CloseReason::IdleTimeout) == 1);

  client.shutdownWrite();
  REQUIRE(fixture.runUntil([&] { return fixture.tally().open == 0; }, 2s));
  // We closed first, so the TIME_WAIT is ours (RFC 9293 section 3.6).
  CHECK(fixture.runUntil([&] { return fixture.kernelCount(kernel::TcpState::TimeWait) == 1; }, 1s));
  CHECK(fixture.kernelCount(kernel::TcpState::CloseWait) == 0);
}
