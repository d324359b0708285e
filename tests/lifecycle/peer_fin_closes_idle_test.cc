// A FIN with nothing to answer (while reading a request or idle) means close now: peerFin begins
// an immediate peer_closed close and returns false.
#include <catch2/catch.hpp>

#include "lifecycle/connection_state.h"

using namespace closewise::lifecycle;
using namespace std::chrono_literals;

TEST_CASE("a FIN while idle begins an immediate peer_closed close", "[peer_fin]") {
  Tally tally;
  const TimeoutPolicy cPolicy = TimeoutPolicy{};
  ConnectionState c(tally, cPolicy, TimePoint{1'000});
  REQUIRE(c.headComplete(TimePoint{1'000}, false));
  REQUIRE(c.responseStarted(TimePoint{1'000}));
  REQUIRE(c.responseComplete(TimePoint{1'000}, false));

  CHECK_FALSE(c.peerFin(TimePoint{1'200}));
  CHECK(c.phase() == Phase::Idle);  // the caller closes; the phase changes in closed()
  CHECK(c.closeReason() == CloseReason::PeerClosed);
  CHECK(c.closeMode() == CloseMode::Immediate);
  CHECK(c.closeBegunAt() == TimePoint{1'200});
  CHECK(c.peerFinAt() == TimePoint{1'200});
  c.closed();
  CHECK(tally.snapshot().closedByReason[static_cast<std::size_t>(CloseReason::PeerClosed)] == 1);
}

TEST_CASE("a FIN in the middle of a request begins an immediate peer_closed close", "[peer_fin]") {
  Tally tally;
  const TimeoutPolicy cPolicy = TimeoutPolicy{};
  ConnectionState c(tally, cPolicy, TimePoint{1'000});
  REQUIRE(c.headComplete(TimePoint{1'000}, true));
  CHECK_FALSE(c.peerFin(TimePoint{1'100}));
  CHECK(c.phase() == Phase::Reading);
  CHECK(c.closeReason() == CloseReason::PeerClosed);
  CHECK(c.closeMode() == CloseMode::Immediate);
  c.closed();
}

TEST_CASE("a FIN after a close began keeps the earlier reason and closes at once", "[peer_fin]") {
  Tally tally;
  const TimeoutPolicy cPolicy = TimeoutPolicy{};
  ConnectionState c(tally, cPolicy, TimePoint{1'000});
  REQUIRE(c.beginClose(CloseReason::Overload, CloseMode::Graceful, TimePoint{1'010}));
  CHECK_FALSE(c.peerFin(TimePoint{1'020}));
  CHECK(c.closeReason() == CloseReason::Overload);
  CHECK(c.closeMode() == CloseMode::Immediate);
  CHECK(c.closeBegunAt() == TimePoint{1'010});
  c.closed();
  const TallySnapshot s = tally.snapshot();
  CHECK(s.closed == 1);
  CHECK(s.closedByReason[static_cast<std::size_t>(CloseReason::Overload)] == 1);
  CHECK(s.closedByReason[static_cast<std::size_t>(CloseReason::PeerClosed)] == 0);
}
