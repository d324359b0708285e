// The body deadline is about stalls, not total time: every read of body bytes re-arms it.
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

TEST_CASE("body progress re-arms the body deadline from each read", "[deadline]") {
  Tally tally;
  const TimeoutPolicy cPolicy = testPolicy();
  ConnectionState c(tally, cPolicy, TimePoint{1'000});
  REQUIRE(c.headComplete(TimePoint{1'050}, true));
  CHECK(c.phase() == Phase::Reading);
  CHECK(c.readingBody());
  CHECK(c.deadline() == TimePoint{1'250});
  CHECK(c.deadlineReason() == CloseReason::BodyTimeout);

  // Reads 150 ms apart keep it alive well past any total bound.
  for (TimePoint t{1'200}; t <= TimePoint{2'000}; t += 150ms) {
    REQUIRE(c.bodyProgress(t));
    CHECK(c.deadline() == t + 200ms);
    CHECK_FALSE(c.expired(t + 199ms));
  }
  // requestStarted in the body is a no-op too: only bodyProgress re-arms.
  REQUIRE(c.requestStarted(TimePoint{2'100}));
  CHECK(c.deadline() == TimePoint{1'950} + 200ms);
  CHECK(c.expired(TimePoint{2'150}));
  CHECK(c.deadlineReason() == CloseReason::BodyTimeout);
  c.beginClose(CloseReason::BodyTimeout, CloseMode::Immediate, TimePoint{2'150});
  c.closed();
}

TEST_CASE("the end of the body arms the handler deadline", "[deadline]") {
  Tally tally;
  const TimeoutPolicy cPolicy = testPolicy();
  ConnectionState c(tally, cPolicy, TimePoint{1'000});
  REQUIRE(c.headComplete(TimePoint{1'050}, true));
  REQUIRE(c.requestComplete(TimePoint{1'120}));
  CHECK(c.phase() == Phase::Processing);
  CHECK_FALSE(c.readingBody());
  CHECK(c.deadline() == TimePoint{1'420});
  CHECK(c.deadlineReason() == CloseReason::HandlerTimeout);
  c.beginClose(CloseReason::HandlerTimeout, CloseMode::Immediate, TimePoint{1'420});
  c.closed();
}
