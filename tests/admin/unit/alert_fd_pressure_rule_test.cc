// fd_pressure starts above 80% of the fd limit and clears only below 75%, so a count hovering
// at the line does not log on every evaluation.
#include <catch2/catch.hpp>

#include "admin/alerts.h"

using namespace closewise::admin;
using namespace closewise::kernel;

namespace {

AlertInputs fds(long ms, std::uint64_t open, std::uint64_t limit) {
  AlertInputs in;
  in.now = AlertClock(ms);
  in.process.openFds = open;
  in.process.fdLimit = limit;
  return in;  // no kernel view: only the process alert is evaluated
}

}  // namespace

TEST_CASE("fd_pressure has hysteresis between 80% and 75%", "[alerts]") {
  AlertEvaluator alerts;
  CHECK(alerts.evaluate(fds(0, 800, 1000)).empty());  // exactly 80%: not above
  auto changes = alerts.evaluate(fds(1000, 801, 1000));
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].started);
  CHECK(changes[0].message.find("801 of 1000") != std::string::npos);
  CHECK(alerts.evaluate(fds(2000, 760, 1000)).empty());  // between the lines: still active
  CHECK(alerts.isActive(AlertKind::FdPressure));
  changes = alerts.evaluate(fds(3000, 749, 1000));
  REQUIRE(changes.size() == 1);
  CHECK_FALSE(changes[0].started);
  CHECK(alerts.evaluate(fds(4000, 790, 1000)).empty());  // below 80% again: stays clear
}

TEST_CASE("fd_pressure has no verdict without a limit", "[alerts]") {
  AlertEvaluator alerts;
  CHECK(alerts.evaluate(fds(0, 1'000'000, 0)).empty());
  CHECK_FALSE(alerts.isActive(AlertKind::FdPressure));
}
