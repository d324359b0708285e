// A second signal during a drain is reported as such and moves nothing: the drain keeps the times
// of the first, so a drain call followed by SIGTERM ends at the first one's deadline.
#include <catch2/catch.hpp>

#include "lifecycle/drain_controller.h"

using namespace closewise::lifecycle;
using namespace std::chrono_literals;

TEST_CASE("begin twice reports AlreadyDraining and keeps the first times", "[drain]") {
  DrainController d(100ms, 1'000ms);
  REQUIRE(d.begin(TimePoint{5'000}) == DrainController::BeginResult::Begun);
  CHECK(d.begin(TimePoint{5'050}) == DrainController::BeginResult::AlreadyDraining);
  CHECK(d.stage() == DrainController::Stage::Delaying);
  CHECK(d.startedAt() == TimePoint{5'000});
  CHECK(d.delayEndsAt() == TimePoint{5'100});
  CHECK(d.deadline() == TimePoint{6'000});

  REQUIRE(d.advance(TimePoint{5'100}, 0).exit);
  CHECK(d.begin(TimePoint{5'200}) == DrainController::BeginResult::AlreadyDraining);
  CHECK(d.stage() == DrainController::Stage::Finished);
}
