// At the drain deadline (counted from the signal), connections that remain are reset and the
// process exits; the delay never outlasts the deadline.
#include <catch2/catch.hpp>

#include "lifecycle/drain_controller.h"

using namespace closewise::lifecycle;
using namespace std::chrono_literals;

using Stage = DrainController::Stage;

TEST_CASE("connections left at the deadline are reset, then exit", "[drain]") {
  DrainController d(100ms, 1'000ms);
  REQUIRE(d.begin(TimePoint{5'000}) == DrainController::BeginResult::Begun);
  auto a = d.advance(TimePoint{5'100}, 2);
  REQUIRE(a.closeListeners);

  a = d.advance(TimePoint{5'999}, 2);
  CHECK_FALSE((a.resetRemaining || a.exit));
  a = d.advance(TimePoint{6'000}, 2);
  CHECK_FALSE((a.closeListeners || a.closeIdle));
  CHECK(a.resetRemaining);
  CHECK(a.exit);
  CHECK(d.stage() == Stage::Finished);

  a = d.advance(TimePoint{6'001}, 0);
  CHECK_FALSE((a.closeListeners || a.closeIdle || a.resetRemaining || a.exit));
}

TEST_CASE("a delay longer than the timeout is cut at the deadline", "[drain]") {
  DrainController d(5'000ms, 1'000ms);
  REQUIRE(d.begin(TimePoint{0}) == DrainController::BeginResult::Begun);
  CHECK(d.delayEndsAt() == TimePoint{1'000});
  CHECK(d.deadline() == TimePoint{1'000});
  const auto a = d.advance(TimePoint{1'000}, 4);
  CHECK(a.closeListeners);
  CHECK(a.closeIdle);
  CHECK(a.resetRemaining);
  CHECK(a.exit);
  CHECK(d.stage() == Stage::Finished);
}
