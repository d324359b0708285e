// books_disagree: the kernel's live sockets (ESTABLISHED + CLOSE_WAIT minus accept queues) must
// lie between open - closing and open, widened by churn during the query; the alert starts only
// after a disagreement has lasted 5 s, so normal operation never fires it.
#include <catch2/catch.hpp>

#include "admin/alerts.h"
#include "tests/admin/pure_inputs.h"

using namespace closewise::admin;
using namespace closewise::kernel;
using closewise::test::books;
namespace lifecycle = closewise::lifecycle;

namespace {

KernelView kernelWith(std::uint64_t established, std::uint64_t closeWait, std::uint64_t finWait,
                      std::uint32_t pending = 0) {
  KernelView kernel;
  kernel.source = "sock_diag";
  kernel.states[static_cast<std::size_t>(TcpState::Established)] = established;
  kernel.states[static_cast<std::size_t>(TcpState::CloseWait)] = closeWait;
  kernel.states[static_cast<std::size_t>(TcpState::FinWait1)] = finWait;
  kernel.listenQueues = {{"127.0.0.1:8080", pending, 511}};
  return kernel;
}

AlertInputs inputs(long ms, const lifecycle::TallySnapshot& tally, const KernelView& kernel) {
  AlertInputs in;
  in.now = AlertClock(ms);
  in.booksBefore = in.booksAfter = tally;
  in.kernel = &kernel;
  return in;
}

}  // namespace

TEST_CASE("normal operation stays inside the books' range", "[alerts]") {
  // 100 idle + 20 processing + 3 half_closed + 10 closing, and 5 connections the kernel has
  // completed that the worker has not accepted yet.
  const auto tally = books(0, 20, 0, 100, 3, 10);
  AlertEvaluator alerts;
  SECTION("closing connections whose FIN is out are in FIN_WAIT1, not ESTABLISHED") {
    const auto kernel = kernelWith(120 + 5, 3, 10, 5);
    for (long t = 0; t <= 20'000; t += 1000) {
      CHECK(alerts.evaluate(inputs(t, tally, kernel)).empty());
    }
  }
  SECTION("closing connections whose FIN is still queued behind data are ESTABLISHED") {
    const auto kernel = kernelWith(120 + 10 + 5, 3, 0, 5);
    for (long t = 0; t <= 20'000; t += 1000) {
      CHECK(alerts.evaluate(inputs(t, tally, kernel)).empty());
    }
  }
}

TEST_CASE("the range widens by accepts and closes during the kernel query", "[alerts]") {
  auto before = books(0, 0, 0, 50, 0, 0);
  auto after = books(0, 0, 0, 50, 0, 0);
  before.accepted = 1000;
  after.accepted = 1030;  // 30 new connections and 30 closes while the kernel was read
  before.closed = 950;
  after.closed = 980;
  const BooksRange range = booksRange(before, after, 4);
  CHECK(range.low == 50 - 60 - 4);
  CHECK(range.high == 50 + 60 + 4);
}

TEST_CASE("a lasting disagreement starts the alert after 5 s and clears when it ends", "[alerts]") {
  const auto tally = books(0, 0, 0, 10, 0, 0);
  const auto leaked = kernelWith(10 + 40, 0, 0);  // 40 sockets the books do not know
  const auto agreed = kernelWith(10, 0, 0);
  AlertEvaluator alerts;
  CHECK(alerts.evaluate(inputs(0, tally, leaked)).empty());
  CHECK(alerts.evaluate(inputs(4000, tally, leaked)).empty());
  // A single agreeing read restarts the clock.
  CHECK(alerts.evaluate(inputs(4500, tally, agreed)).empty());
  CHECK(alerts.evaluate(inputs(9000, tally, leaked)).empty());
  auto changes = alerts.evaluate(inputs(14'000, tally, leaked));
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].kind == AlertKind::BooksDisagree);
  CHECK(changes[0].started);
  CHECK(changes[0].message.find("kernel has 50 live socket(s)") != std::string::npos);
  changes = alerts.evaluate(inputs(15'000, tally, agreed));
  REQUIRE(changes.size() == 1);
  CHECK_FALSE(changes[0].started);
}

TEST_CASE("books counting connections the kernel has dropped also disagree", "[alerts]") {
  const auto tally = books(0, 0, 0, 60, 0, 0);
  const auto kernel = kernelWith(20, 0, 0);
  AlertEvaluator alerts;
  alerts.evaluate(inputs(0, tally, kernel));
  CHECK(alerts.evaluate(inputs(5000, tally, kernel)).size() == 1);
  CHECK(alerts.isActive(AlertKind::BooksDisagree));
}

TEST_CASE("a view read from our own descriptors is not reduced by the accept queues", "[alerts]") {
  // 50 idle connections and 5 the workers have not accepted yet. A dump counts those 5 as
  // ESTABLISHED, a read of our descriptors does not; either way the live count is 50.
  const auto tally = books(0, 0, 0, 50, 0, 0);
  KernelView dump = kernelWith(55, 0, 0, 5);
  KernelView own = kernelWith(50, 0, 0, 5);
  own.source = "own_fds";
  own.includesAcceptQueues = false;
  CHECK(kernelLiveSockets(dump) == 50);
  CHECK(kernelLiveSockets(own) == 50);
  AlertEvaluator alerts;
  for (long t = 0; t <= 20'000; t += 1000) {
    CHECK(alerts.evaluate(inputs(t, tally, own)).empty());
  }
}
