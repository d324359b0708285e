// upstream_time_wait fires when TIME_WAIT toward one upstream holds more than half of the
// ephemeral port range, names that upstream, and is not judged without a known range.
#include <catch2/catch.hpp>

#include "admin/alerts.h"

using namespace closewise::admin;

namespace {

AlertInputs at(long ms, std::uint64_t timeWait, std::uint64_t ports) {
  AlertInputs in;
  in.now = AlertClock(ms);
  in.upstreams = std::vector<UpstreamSockets>{{"small", 0, 10}, {"busy", 0, timeWait}};
  in.ephemeralPorts = ports;
  return in;
}

}  // namespace

TEST_CASE("upstream_time_wait starts above half the ephemeral range", "[alerts]") {
  AlertEvaluator alerts;
  CHECK(alerts.evaluate(at(0, 14000, 28232)).empty());     // under half
  CHECK(alerts.evaluate(at(1000, 14116, 28232)).empty());  // exactly half is not over it
  auto changes = alerts.evaluate(at(2000, 14117, 28232));
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].kind == AlertKind::UpstreamTimeWait);
  CHECK(changes[0].started);
  CHECK(changes[0].message.find("toward busy") != std::string::npos);

  changes = alerts.evaluate(at(3000, 100, 28232));
  REQUIRE(changes.size() == 1);
  CHECK_FALSE(changes[0].started);
}

TEST_CASE("upstream_time_wait is not judged without the port range", "[alerts]") {
  AlertEvaluator alerts;
  CHECK(alerts.evaluate(at(0, 60000, 0)).empty());
  CHECK_FALSE(alerts.isActive(AlertKind::UpstreamTimeWait));
}
