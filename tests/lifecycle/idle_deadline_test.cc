// A kept-alive connection waits idle for the idle timeout from the end of its last answer.
#include <catch2/catch.hpp>

#include "lifecycle/connection_state.h"

using namespace closewise::lifecycle;
using namespace std::chrono_literals;

TEST_CASE("the idle deadline runs from the end of the last answer", "[deadline]") {
  TimeoutPolicy p;
  p.idle = 500ms;
  p.linger = 600ms;
  p.lingerRead = 70ms;
  Tally tally;
  ConnectionState c(tally, p, TimePoint{1'000});
  REQUIRE(c.headComplete(TimePoint{1'010}, false));
  REQUIRE(c.responseStarted(TimePoint{1'020}));
  REQUIRE(c.writeProgress(TimePoint{1'030}));
  REQUIRE(c.responseComplete(TimePoint{1'040}, false));
  CHECK(c.phase() == Phase::Idle);
  CHECK(c.deadline() == TimePoint{1'540});
  CHECK(c.deadlineReason() == CloseReason::IdleTimeout);
  CHECK_FALSE(c.expired(TimePoint{1'539}));
  CHECK(c.expired(TimePoint{1'540}));

  // What the server does when it passes: a graceful close with no answer to write.
  REQUIRE(c.beginClose(c.deadlineReason(), CloseMode::Graceful, TimePoint{1'540}));
  REQUIRE(c.finSent(TimePoint{1'540}));
  CHECK(c.phase() == Phase::Closing);
  CHECK(c.closeReason() == CloseReason::IdleTimeout);
  c.closed();
}
