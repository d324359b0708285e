// A handler must start answering within the handler timeout of the complete request; starting
// the answer replaces the handler deadline with the write one.
#include <catch2/catch.hpp>

#include "lifecycle/connection_state.h"

using namespace closewise::lifecycle;
using namespace std::chrono_literals;

TEST_CASE("the handler deadline runs from the complete head and ends with the answer",
          "[deadline]") {
  TimeoutPolicy p;
  p.header = 100ms;
  p.handler = 300ms;
  p.write = 400ms;
  Tally tally;
  ConnectionState c(tally, p, TimePoint{1'000});
  REQUIRE(c.headComplete(TimePoint{1'040}, false));
  CHECK(c.phase() == Phase::Processing);
  CHECK(c.deadline() == TimePoint{1'340});
  CHECK(c.deadlineReason() == CloseReason::HandlerTimeout);
  CHECK_FALSE(c.expired(TimePoint{1'339}));
  CHECK(c.expired(TimePoint{1'340}));

  REQUIRE(c.responseStarted(TimePoint{1'300}));
  CHECK(c.deadline() == TimePoint{1'700});
  CHECK(c.deadlineReason() == CloseReason::WriteTimeout);
  c.beginClose(CloseReason::ServerClose, CloseMode::Immediate, TimePoint{1'300});
  c.closed();
}
