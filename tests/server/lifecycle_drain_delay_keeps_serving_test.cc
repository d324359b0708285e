// The drain delay: readiness fails at once, but a load balancer takes a while to notice and keeps
// sending (Kubernetes removes an endpoint asynchronously). For the delay closewise keeps its
// listener open, keeps idle connections and keeps them alive, so those late requests are served
// instead of refused. Only when the delay ends does the drain proper start.
#include <catch2/catch.hpp>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::CloseReason;
using lifecycle::Phase;

TEST_CASE("during the drain delay idle connections stay and new ones are served",
          "[lifecycle][drain]") {
  ServerFixture fixture([](server::WorkerOptions& o) {
    o.drainDelay = 600ms;
    o.drainTimeout = 10s;
    o.timeouts.idle = 30s;
  });
  RawClient& idle = fixture.connect();
  idle.send(get("/"));
  REQUIRE(fixture.runUntil([&] { return fixture.inPhase(Phase::Idle) == 1; }));

  const auto drainAt = std::chrono::steady_clock::now();
  fixture.worker().beginDrain();
  CHECK(fixture.worker().draining());

  // Inside the delay: a new connection is accepted and answered with keep-alive.
  RawClient& late = fixture.connect();
  late.send(get("/"));
  REQUIRE(fixture.runUntil([&] { return late.responseCount() == 1; }, 1s));
  const bool withinDelay = std::chrono::steady_clock::now() - drainAt < 550ms;
  CHECK(late.received().find("Connection: close") == std::string::npos);
  CHECK(fixture.kernelCount(kernel::TcpState::Listen) == 1);
  CHECK_FALSE(idle.eof());
  CHECK(fixture.closedBy(CloseReason::Drain) == 0);
  CHECK(fixture.inPhase(Phase::Idle) == 2);
  // Only meaningful if the loaded machine let us finish inside the delay.
  CHECK(withinDelay);

  // When the delay ends: both idle connections close, and the listener with them.
  REQUIRE(fixture.runUntil([&] { return idle.eof() && late.eof(); }, 2s));
  CHECK(std::chrono::steady_clock::now() - drainAt >= 500ms);  // loose: uv_now() lags a little
  CHECK(fixture.closedBy(CloseReason::Drain) == 2);
  CHECK(fixture.kernelCount(kernel::TcpState::Listen) == 0);
}
