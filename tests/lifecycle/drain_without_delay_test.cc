// With no delay a drain goes straight to Draining; the listener and idle actions are still
// returned, once, by the first advance().
#include <catch2/catch.hpp>

#include "lifecycle/drain_controller.h"

using namespace closewise::lifecycle;
using namespace std::chrono_literals;

using Stage = DrainController::Stage;

TEST_CASE("a zero delay drains at once", "[drain]") {
  DrainController d(0ms, 1'000ms);
  REQUIRE(d.begin(TimePoint{5'000}) == DrainController::BeginResult::Begun);
  CHECK(d.stage() == Stage::Draining);
  CHECK_FALSE(d.readinessOk());
  CHECK_FALSE(d.keepAliveAllowed());
  CHECK_FALSE(d.listenersOpen());
  CHECK(d.nextWakeup() == TimePoint{5'000});

  auto a = d.advance(TimePoint{5'000}, 2);
  CHECK(a.closeListeners);
  CHECK(a.closeIdle);
  CHECK_FALSE((a.resetRemaining || a.exit));
  CHECK(d.nextWakeup() == TimePoint{6'000});

  a = d.advance(TimePoint{5'001}, 2);
  CHECK_FALSE((a.closeListeners || a.closeIdle || a.resetRemaining || a.exit));
}

TEST_CASE("a zero delay with nothing open exits on the first advance", "[drain]") {
  DrainController d(0ms, 1'000ms);
  REQUIRE(d.begin(TimePoint{5'000}) == DrainController::BeginResult::Begun);
  const auto a = d.advance(TimePoint{5'000}, 0);
  CHECK(a.closeListeners);
  CHECK(a.closeIdle);
  CHECK_FALSE(a.resetRemaining);
  CHECK(a.exit);
  CHECK(d.stage() == Stage::Finished);
}
