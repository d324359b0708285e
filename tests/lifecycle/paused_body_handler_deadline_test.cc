// A body its handler paused is timed by the handler's deadline, not the body's: the client is not
// what holds it up. Resuming gives the body deadline back.
#include <catch2/catch.hpp>

#include "lifecycle/connection_state.h"

using namespace closewise::lifecycle;
using namespace std::chrono_literals;

namespace {

TimeoutPolicy testPolicy() {
  TimeoutPolicy p;
  p.header = 100ms;
  p.body = 200ms;
  p.handler = 300ms;
  return p;
}

}  // namespace

TEST_CASE("a paused body runs on the handler deadline and resumes on the body's", "[deadline]") {
  Tally tally;
  const TimeoutPolicy cPolicy = testPolicy();
  ConnectionState c(tally, cPolicy, TimePoint{1'000});
  REQUIRE(c.headComplete(TimePoint{1'050}, true));
  REQUIRE(c.bodyPaused(TimePoint{1'100}));
  CHECK(c.phase() == Phase::Reading);
  CHECK(c.readingBody());
  CHECK(c.deadline() == TimePoint{1'400});
  CHECK(c.deadlineReason() == CloseReason::HandlerTimeout);
  // Past the body deadline, the paused body is not expired.
  CHECK_FALSE(c.expired(TimePoint{1'350}));

  REQUIRE(c.bodyProgress(TimePoint{1'390}));
  CHECK(c.deadline() == TimePoint{1'590});
  CHECK(c.deadlineReason() == CloseReason::BodyTimeout);

  REQUIRE(c.requestComplete(TimePoint{1'400}));
  CHECK_FALSE(c.bodyPaused(TimePoint{1'410}));  // no body is being read any more
  CHECK(c.deadlineReason() == CloseReason::HandlerTimeout);
  c.beginClose(CloseReason::HandlerTimeout, CloseMode::Immediate, TimePoint{1'700});
  c.closed();
}
