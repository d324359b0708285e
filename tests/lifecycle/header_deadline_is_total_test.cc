// The head deadline is total: it is counted from accept, from the first byte after idle, or from
// the end of the previous exchange, and arriving bytes never push it back (the slowloris defence).
#include <catch2/catch.hpp>

#include "lifecycle/connection_state.h"

using namespace closewise::lifecycle;
using namespace std::chrono_literals;

namespace {

// Distinct values, so a deadline armed from the wrong field shows.
TimeoutPolicy testPolicy() {
  TimeoutPolicy p;
  p.header = 100ms;
  p.body = 200ms;
  p.handler = 300ms;
  p.write = 400ms;
  p.idle = 500ms;
  return p;
}

}  // namespace

TEST_CASE("the first head is due header after accept", "[deadline]") {
  Tally tally;
  const TimeoutPolicy cPolicy = testPolicy();
  ConnectionState c(tally, cPolicy, TimePoint{1'000});
  CHECK(c.phase() == Phase::Reading);
  CHECK(c.deadline() == TimePoint{1'100});
  CHECK(c.deadlineReason() == CloseReason::HeaderTimeout);
  CHECK_FALSE(c.expired(TimePoint{1'099}));
  CHECK(c.expired(TimePoint{1'100}));
  c.beginClose(CloseReason::HeaderTimeout, CloseMode::Immediate, TimePoint{1'100});
  c.closed();
}

TEST_CASE("dribbled bytes do not extend the head deadline", "[deadline]") {
  Tally tally;
  const TimeoutPolicy cPolicy = testPolicy();
  ConnectionState c(tally, cPolicy, TimePoint{1'000});
  for (TimePoint t{1'010}; t < TimePoint{1'100}; t += 10ms) {
    CHECK(c.requestStarted(t));  // each byte is reported; each is a no-op
    CHECK(c.deadline() == TimePoint{1'100});
  }
  CHECK(c.expired(TimePoint{1'100}));
  c.beginClose(CloseReason::HeaderTimeout, CloseMode::Immediate, TimePoint{1'100});
  c.closed();
}

TEST_CASE("after idle the head deadline counts from the first byte", "[deadline]") {
  Tally tally;
  const TimeoutPolicy cPolicy = testPolicy();
  ConnectionState c(tally, cPolicy, TimePoint{1'000});
  REQUIRE(c.headComplete(TimePoint{1'010}, false));
  REQUIRE(c.responseStarted(TimePoint{1'020}));
  REQUIRE(c.responseComplete(TimePoint{1'030}, false));
  REQUIRE(c.phase() == Phase::Idle);
  REQUIRE(c.requestStarted(TimePoint{1'400}));
  CHECK(c.phase() == Phase::Reading);
  CHECK(c.deadline() == TimePoint{1'500});
  CHECK(c.deadlineReason() == CloseReason::HeaderTimeout);
  REQUIRE(c.requestStarted(TimePoint{1'450}));
  CHECK(c.deadline() == TimePoint{1'500});
  c.beginClose(CloseReason::ServerClose, CloseMode::Immediate, TimePoint{1'450});
  c.closed();
}

TEST_CASE("a pipelined head is due header after the previous exchange ends", "[deadline]") {
  Tally tally;
  const TimeoutPolicy cPolicy = testPolicy();
  ConnectionState c(tally, cPolicy, TimePoint{1'000});
  REQUIRE(c.headComplete(TimePoint{1'010}, false));
  REQUIRE(c.responseStarted(TimePoint{1'020}));
  REQUIRE(c.responseComplete(TimePoint{1'250}, true));
  CHECK(c.phase() == Phase::Reading);
  CHECK(c.deadline() == TimePoint{1'350});
  CHECK(c.deadlineReason() == CloseReason::HeaderTimeout);
  c.beginClose(CloseReason::ServerClose, CloseMode::Immediate, TimePoint{1'250});
  c.closed();
}
