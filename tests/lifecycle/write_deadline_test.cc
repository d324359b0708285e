// The write deadline is about progress: each write that goes out re-arms it, and when it passes
// the deadline reason is WriteTimeout (which the server closes with a reset).
#include <catch2/catch.hpp>

#include "lifecycle/connection_state.h"

using namespace closewise::lifecycle;
using namespace std::chrono_literals;

TEST_CASE("write progress re-arms the write deadline", "[deadline]") {
  TimeoutPolicy p;
  p.handler = 300ms;
  p.write = 400ms;
  Tally tally;
  ConnectionState c(tally, p, TimePoint{1'000});
  REQUIRE(c.headComplete(TimePoint{1'000}, false));
  REQUIRE(c.responseStarted(TimePoint{1'100}));
  CHECK(c.phase() == Phase::Writing);
  CHECK(c.deadline() == TimePoint{1'500});
  CHECK(c.deadlineReason() == CloseReason::WriteTimeout);

  REQUIRE(c.writeProgress(TimePoint{1'450}));
  CHECK(c.deadline() == TimePoint{1'850});
  REQUIRE(c.writeProgress(TimePoint{1'800}));
  CHECK(c.deadline() == TimePoint{2'200});
  CHECK_FALSE(c.expired(TimePoint{2'199}));
  CHECK(c.expired(TimePoint{2'200}));

  REQUIRE(c.beginClose(c.deadlineReason(), CloseMode::Reset, TimePoint{2'200}));
  CHECK(c.closeReason() == CloseReason::WriteTimeout);
  CHECK(c.closeMode() == CloseMode::Reset);
  c.closed();
}

TEST_CASE("an answer begun while reading is under the write deadline", "[deadline]") {
  TimeoutPolicy p;
  p.header = 100ms;
  p.write = 400ms;
  Tally tally;
  ConnectionState c(tally, p, TimePoint{1'000});
  REQUIRE(c.beginClose(CloseReason::ProtocolError, CloseMode::Graceful, TimePoint{1'020}));
  REQUIRE(c.responseStarted(TimePoint{1'020}));
  CHECK(c.phase() == Phase::Writing);
  CHECK(c.deadline() == TimePoint{1'420});
  CHECK(c.deadlineReason() == CloseReason::WriteTimeout);
  CHECK(c.requestsStarted() == 0);
  c.closed();
}
