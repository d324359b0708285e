// upstream_close_wait fires when sockets toward one upstream stay in CLOSE_WAIT, without a break,
// for longer than the threshold; a count that drops to zero in between starts the wait again, and
// a failed kernel read leaves the alert as it was.
#include <catch2/catch.hpp>

#include "admin/alerts.h"

using namespace closewise::admin;

namespace {

AlertInputs at(long ms, std::uint64_t closeWait) {
  AlertInputs in;
  in.now = AlertClock(ms);
  in.upstreams = std::vector<UpstreamSockets>{{"backend", closeWait, 0}, {"other", 0, 0}};
  return in;
}

}  // namespace

TEST_CASE("upstream_close_wait starts once CLOSE_WAIT outlasts the threshold", "[alerts]") {
  AlertThresholds thresholds;
  thresholds.closeWaitAfter = std::chrono::milliseconds(5000);
  AlertEvaluator alerts(thresholds);

  CHECK(alerts.evaluate(at(0, 1)).empty());
  CHECK(alerts.evaluate(at(4000, 2)).empty());
  // Gone for one reading: the wait starts again.
  CHECK(alerts.evaluate(at(4500, 0)).empty());
  CHECK(alerts.evaluate(at(5000, 1)).empty());
  CHECK(alerts.evaluate(at(9000, 1)).empty());
  CHECK_FALSE(alerts.isActive(AlertKind::UpstreamCloseWait));

  auto changes = alerts.evaluate(at(10000, 1));
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].kind == AlertKind::UpstreamCloseWait);
  CHECK(changes[0].started);
  CHECK(changes[0].message.find("backend") != std::string::npos);
  CHECK(alerts.evaluate(at(11000, 1)).empty());

  // No reading: the alert stays as it was.
  AlertInputs unread;
  unread.now = AlertClock(12000);
  CHECK(alerts.evaluate(unread).empty());
  CHECK(alerts.isActive(AlertKind::UpstreamCloseWait));

  changes = alerts.evaluate(at(13000, 0));
  REQUIRE(changes.size() == 1);
  CHECK_FALSE(changes[0].started);
}
