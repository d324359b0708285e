// A timeout so long that now + timeout would not fit the clock gives a deadline that never comes
// (TimePoint::max()), never a signed overflow: that would be undefined behaviour, and in practice
// a deadline in the past that closes the connection at once. The config refuses such values for
// the command line (config_duration_caps_test.cc); this holds for any policy a fork builds.
#include <catch2/catch.hpp>

#include "lifecycle/connection_state.h"
#include "lifecycle/drain_controller.h"

using namespace closewise::lifecycle;

TEST_CASE("every deadline of a policy of Duration::max() is TimePoint::max()", "[deadline]") {
  TimeoutPolicy p;
  p.header = p.body = p.handler = p.write = p.idle = p.linger = p.lingerRead = Duration::max();
  Tally tally;
  const TimePoint start{123'456'789};
  ConnectionState c(tally, p, start);
  CHECK(c.deadline() == TimePoint::max());
  CHECK(c.deadlineReason() == CloseReason::HeaderTimeout);
  CHECK_FALSE(c.expired(TimePoint::max() - Duration{1}));

  REQUIRE(c.headComplete(start, true));
  CHECK(c.deadline() == TimePoint::max());
  REQUIRE(c.bodyProgress(start + Duration{5}));
  CHECK(c.deadline() == TimePoint::max());
  REQUIRE(c.requestComplete(start + Duration{6}));
  CHECK(c.deadline() == TimePoint::max());
  REQUIRE(c.responseStarted(start + Duration{7}));
  REQUIRE(c.writeProgress(start + Duration{8}));
  CHECK(c.deadline() == TimePoint::max());
  REQUIRE(c.responseComplete(start + Duration{9}, false));
  CHECK(c.deadline() == TimePoint::max());
  CHECK(c.deadlineReason() == CloseReason::IdleTimeout);
  REQUIRE(c.beginClose(CloseReason::Drain, CloseMode::Graceful, start + Duration{10}));
  REQUIRE(c.finSent(start + Duration{10}));
  CHECK(c.deadline() == TimePoint::max());
  REQUIRE(c.lingerProgress(start + Duration{11}));
  CHECK(c.deadline() == TimePoint::max());
  c.closed();
}

TEST_CASE("a drain of Duration::max() never reaches its deadline", "[deadline]") {
  DrainController drain(Duration::max(), Duration::max());
  REQUIRE(drain.begin(TimePoint{1'000}) == DrainController::BeginResult::Begun);
  CHECK(drain.nextWakeup() == TimePoint::max());
  const auto actions = drain.advance(TimePoint{1'000'000'000}, 3);
  CHECK_FALSE(actions.resetRemaining);
  CHECK_FALSE(actions.exit);
}

TEST_CASE("later() is the plain sum wherever it fits", "[deadline]") {
  CHECK(later(TimePoint{1'000}, Duration{500}) == TimePoint{1'500});
  CHECK(later(TimePoint{0}, Duration::max()) == TimePoint::max());
  CHECK(later(TimePoint::max() - Duration{10}, Duration{10}) == TimePoint::max());
  CHECK(later(TimePoint::max() - Duration{10}, Duration{11}) == TimePoint::max());
  CHECK(later(TimePoint::max() - Duration{10}, Duration{9}) == TimePoint::max() - Duration{1});
}
