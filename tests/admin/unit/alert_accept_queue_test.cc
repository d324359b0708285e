// accept_queue fires when any listener's accept queue is more than half its backlog; a source
// that cannot tell the backlog (procfs) is judged against the configured one.
#include <catch2/catch.hpp>

#include "admin/alerts.h"

using namespace closewise::admin;
using namespace closewise::kernel;

namespace {

AlertInputs queued(long ms, const KernelView& kernel) {
  AlertInputs in;
  in.now = AlertClock(ms);
  in.kernel = &kernel;
  return in;
}

}  // namespace

TEST_CASE("accept_queue starts above half the backlog and names the listener", "[alerts]") {
  AlertEvaluator alerts;
  KernelView kernel;
  kernel.listenQueues = {{"127.0.0.1:8080", 10, 100}, {"[::1]:8080", 50, 100}};
  CHECK(alerts.evaluate(queued(0, kernel)).empty());  // 50%: not above
  kernel.listenQueues[1].pending = 51;
  auto changes = alerts.evaluate(queued(1000, kernel));
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].started);
  CHECK(changes[0].message.find("[::1]:8080: 51 connection(s)") != std::string::npos);
  kernel.listenQueues[1].pending = 0;
  changes = alerts.evaluate(queued(2000, kernel));
  REQUIRE(changes.size() == 1);
  CHECK_FALSE(changes[0].started);
}

TEST_CASE("accept_queue uses the configured backlog when the source reports none", "[alerts]") {
  AlertThresholds thresholds;
  thresholds.fallbackBacklog = 20;
  AlertEvaluator alerts(thresholds);
  KernelView kernel;
  kernel.source = "procfs";
  kernel.listenQueues = {{"127.0.0.1:8080", 11, 0}};
  CHECK(alerts.evaluate(queued(0, kernel)).size() == 1);
  CHECK(alerts.isActive(AlertKind::AcceptQueue));
}
