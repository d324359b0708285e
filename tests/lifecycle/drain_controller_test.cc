// A drain walks Serving -> Delaying -> Draining -> Finished, and each action comes exactly once.
#include "lifecycle/drain_controller.h"

#include <catch2/catch.hpp>

using namespace closewise::lifecycle;
using namespace std::chrono_literals;

using Stage = DrainController::Stage;

TEST_CASE("a drain delays, then closes listeners and idle, then exits when empty", "[drain]") {
  DrainController d(100ms, 1'000ms);
  CHECK(d.stage() == Stage::Serving);
  CHECK(d.readinessOk());
  CHECK(d.keepAliveAllowed());
  CHECK(d.listenersOpen());
  CHECK(d.nextWakeup() == TimePoint::max());
  CHECK(d.startedAt() == TimePoint::max());
  // Before a drain there is nothing to do, whatever the count.
  auto a = d.advance(TimePoint{5'000}, 0);
  CHECK_FALSE((a.closeListeners || a.closeIdle || a.resetRemaining || a.exit));

  REQUIRE(d.begin(TimePoint{5'000}) == DrainController::BeginResult::Begun);
  CHECK(d.stage() == Stage::Delaying);
  CHECK_FALSE(d.readinessOk());
  CHECK(d.keepAliveAllowed());
  CHECK(d.listenersOpen());
  CHECK(d.startedAt() == TimePoint{5'000});
  CHECK(d.delayEndsAt() == TimePoint{5'100});
  CHECK(d.deadline() == TimePoint{6'000});
  CHECK(d.nextWakeup() == TimePoint{5'100});

  // During the delay nothing happens, not even with no connections: traffic still arrives.
  a = d.advance(TimePoint{5'099}, 0);
  CHECK_FALSE((a.closeListeners || a.closeIdle || a.resetRemaining || a.exit));
  CHECK(d.stage() == Stage::Delaying);

  a = d.advance(TimePoint{5'100}, 3);
  CHECK(a.closeListeners);
  CHECK(a.closeIdle);
  CHECK_FALSE(a.resetRemaining);
  CHECK_FALSE(a.exit);
  CHECK(d.stage() == Stage::Draining);
  CHECK_FALSE(d.keepAliveAllowed());
  CHECK_FALSE(d.listenersOpen());
  CHECK(d.nextWakeup() == TimePoint{6'000});

  a = d.advance(TimePoint{5'200}, 1);
  CHECK_FALSE((a.closeListeners || a.closeIdle || a.resetRemaining || a.exit));

  a = d.advance(TimePoint{5'300}, 0);
  CHECK_FALSE((a.closeListeners || a.closeIdle || a.resetRemaining));
  CHECK(a.exit);
  CHECK(d.stage() == Stage::Finished);
  CHECK(d.nextWakeup() == TimePoint::max());

  a = d.advance(TimePoint{7'000}, 0);
  CHECK_FALSE((a.closeListeners || a.closeIdle || a.resetRemaining || a.exit));
}
