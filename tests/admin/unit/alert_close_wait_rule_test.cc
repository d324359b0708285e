// The close_wait alert needs both witnesses: a connection the books show half-closed for longer
// than the threshold, and CLOSE_WAIT sockets in the kernel. It starts once and clears once.
#include <catch2/catch.hpp>

#include "admin/alerts.h"
#include "tests/admin/pure_inputs.h"

using namespace closewise::admin;
using namespace closewise::kernel;
using closewise::test::books;

namespace {

AlertInputs at(long ms, const KernelView& kernel, std::uint64_t stale) {
  AlertInputs in;
  in.now = AlertClock(ms);
  in.booksBefore = in.booksAfter = books(0, 0, 0, 0, 1, 0);
  in.kernel = &kernel;
  in.staleHalfClosed = stale;
  in.oldestPeerFinMs = stale > 0 ? 6000 : 0;
  return in;
}

}  // namespace

TEST_CASE("close_wait fires only when books and kernel agree, and logs each edge once",
          "[alerts]") {
  AlertEvaluator alerts;
  KernelView kernel;
  kernel.source = "sock_diag";

  // Kernel sees a CLOSE_WAIT, books have no stale half-closed connection: a FIN just read.
  kernel.states[static_cast<std::size_t>(TcpState::CloseWait)] = 1;
  kernel.states[static_cast<std::size_t>(TcpState::Established)] = 0;
  CHECK(alerts.evaluate(at(0, kernel, 0)).empty());
  CHECK_FALSE(alerts.isActive(AlertKind::CloseWait));

  // Books have a stale one but the kernel has none (the socket is already past CLOSE_WAIT).
  kernel.states[static_cast<std::size_t>(TcpState::CloseWait)] = 0;
  CHECK(alerts.evaluate(at(1000, kernel, 1)).empty());
  CHECK_FALSE(alerts.isActive(AlertKind::CloseWait));

  // Both: it starts, once.
  kernel.states[static_cast<std::size_t>(TcpState::CloseWait)] = 1;
  auto changes = alerts.evaluate(at(2000, kernel, 1));
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].kind == AlertKind::CloseWait);
  CHECK(changes[0].started);
  CHECK(changes[0].message.find("close_wait started") != std::string::npos);
  CHECK(alerts.evaluate(at(3000, kernel, 1)).empty());
  REQUIRE(alerts.active().size() == 1);
  CHECK(alerts.active()[0].since == AlertClock(2000));

  // The handler answered: it clears, once, saying how long it lasted.
  kernel.states[static_cast<std::size_t>(TcpState::CloseWait)] = 0;
  changes = alerts.evaluate(at(4500, kernel, 0));
  REQUIRE(changes.size() == 1);
  CHECK_FALSE(changes[0].started);
  CHECK(changes[0].message.find("cleared after 2500 ms") != std::string::npos);
  CHECK(alerts.evaluate(at(5500, kernel, 0)).empty());
  CHECK(alerts.active().empty());
}

TEST_CASE("a failed kernel query leaves close_wait as it was", "[alerts]") {
  AlertEvaluator alerts;
  KernelView kernel;
  kernel.states[static_cast<std::size_t>(TcpState::CloseWait)] = 1;
  REQUIRE(alerts.evaluate(at(0, kernel, 1)).size() == 1);
  KernelView failed;
  failed.error = "netlink: EPERM; procfs: ENOENT";
  CHECK(alerts.evaluate(at(1000, failed, 0)).empty());
  CHECK(alerts.isActive(AlertKind::CloseWait));
}
