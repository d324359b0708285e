// The drain deadline bounds the whole stop, counted from the signal, because the orchestrator's
// grace period is (Kubernetes' terminationGracePeriodSeconds). Whatever is still open when it
// passes is reset (RFC 9293 section 3.10.7.1 ABORT) so the process can exit in time, reason
// drain_deadline. An unbounded drain is how nginx's worker_shutdown_timeout (unset by default)
// waits for ever.
#include <catch2/catch.hpp>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::CloseReason;
using lifecycle::Phase;

TEST_CASE("a request still running at the drain deadline is reset and the drain finishes",
          "[lifecycle][drain]") {
  ServerFixture fixture([](server::WorkerOptions& o) { o.drainTimeout = 200ms; });
  RawClient& client = fixture.connect();
  client.send(get("/delay?ms=5000"));
  REQUIRE(fixture.runUntil([&] { return fixture.inPhase(Phase::Processing) == 1; }));

  const auto drainAt = std::chrono::steady_clock::now();
  fixture.worker().beginDrain();
  REQUIRE(fixture.runUntil([&] { return fixture.worker().finished(); }, 3s));
  const auto took = std::chrono::steady_clock::now() - drainAt;
  INFO(
      "drain finished after " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                              << " ms");
  // Lower bounds are loose on purpose: deadlines run on the loop's cached clock (uv_now), which
  // can lag the moment the test observed, so "not early" is checked with room to spare.
  CHECK(took >= 150ms);
  CHECK(took < 1500ms);
  CHECK(fixture.tally().open == 0);
  CHECK(fixture.closedBy(CloseReason::DrainDeadline) == 1);

  REQUIRE(fixture.runUntil([&] { return client.eof() || client.readError() != 0; }, 2s));
  CHECK(client.resetByPeer());
  CHECK(client.received().empty());
  CHECK(fixture.kernelCount(kernel::TcpState::Established) == 0);
}
