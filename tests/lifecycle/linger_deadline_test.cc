// After our FIN, lingering is bounded twice, as nginx bounds it: per read (lingerRead after the
// last discarded read) and in total (linger after the FIN). The earlier one is the deadline.
#include <catch2/catch.hpp>

#include "lifecycle/connection_state.h"

using namespace closewise::lifecycle;
using namespace std::chrono_literals;

namespace {

TimeoutPolicy testPolicy() {
  TimeoutPolicy p;
  p.linger = 600ms;
  p.lingerRead = 70ms;
  return p;
}

}  // namespace

TEST_CASE("the per-read limit bounds a quiet linger", "[deadline]") {
  Tally tally;
  const TimeoutPolicy cPolicy = testPolicy();
  ConnectionState c(tally, cPolicy, TimePoint{1'000});
  REQUIRE(c.beginClose(CloseReason::HeaderTimeout, CloseMode::Graceful, TimePoint{1'100}));
  REQUIRE(c.finSent(TimePoint{1'100}));
  CHECK(c.phase() == Phase::Closing);
  CHECK(c.deadline() == TimePoint{1'170});
  CHECK(c.deadlineReason() == CloseReason::LingerTimeout);
  // Passing the linger deadline ends the close; the reason on the books stays the first one.
  CHECK(c.expired(TimePoint{1'170}));
  CHECK_FALSE(c.beginClose(c.deadlineReason(), CloseMode::Immediate, TimePoint{1'170}));
  CHECK(c.closeReason() == CloseReason::HeaderTimeout);
  c.closed();
}

TEST_CASE("reads buy time but never past the total", "[deadline]") {
  Tally tally;
  const TimeoutPolicy cPolicy = testPolicy();
  ConnectionState c(tally, cPolicy, TimePoint{1'000});
  REQUIRE(c.beginClose(CloseReason::BodyTimeout, CloseMode::Graceful, TimePoint{1'100}));
  REQUIRE(c.finSent(TimePoint{1'100}));
  REQUIRE(c.lingerProgress(TimePoint{1'150}));
  CHECK(c.deadline() == TimePoint{1'220});
  REQUIRE(c.lingerProgress(TimePoint{1'600}));
  CHECK(c.deadline() == TimePoint{1'670});
  // The total ends at 1'100 + 600 = 1'700, earlier than 1'660 + 70.
  REQUIRE(c.lingerProgress(TimePoint{1'660}));
  CHECK(c.deadline() == TimePoint{1'700});
  REQUIRE(c.lingerProgress(TimePoint{1'699}));
  CHECK(c.deadline() == TimePoint{1'700});
  CHECK(c.deadlineReason() == CloseReason::LingerTimeout);
  c.closed();
}

TEST_CASE("a linger total shorter than the per-read limit wins from the start", "[deadline]") {
  TimeoutPolicy p;
  p.linger = 50ms;
  p.lingerRead = 70ms;
  Tally tally;
  ConnectionState c(tally, p, TimePoint{1'000});
  REQUIRE(c.beginClose(CloseReason::ServerClose, CloseMode::Graceful, TimePoint{1'000}));
  REQUIRE(c.finSent(TimePoint{1'000}));
  CHECK(c.deadline() == TimePoint{1'050});
  c.closed();
}

TEST_CASE("the peer's FIN ends lingering", "[deadline]") {
  Tally tally;
  const TimeoutPolicy cPolicy = testPolicy();
  ConnectionState c(tally, cPolicy, TimePoint{1'000});
  REQUIRE(c.beginClose(CloseReason::IdleTimeout, CloseMode::Graceful, TimePoint{1'100}));
  REQUIRE(c.finSent(TimePoint{1'100}));
  CHECK_FALSE(c.peerFin(TimePoint{1'120}));  // false: close now
  CHECK(c.peerFinSeen());
  CHECK(c.peerFinAt() == TimePoint{1'120});
  CHECK(c.closeReason() == CloseReason::IdleTimeout);
  CHECK(c.closeMode() == CloseMode::Graceful);
  c.closed();
  CHECK(c.phase() == Phase::Closed);
  CHECK(c.deadline() == TimePoint::max());
}
