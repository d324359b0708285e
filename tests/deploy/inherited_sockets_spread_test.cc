// Inherited listening sockets are spread so that every socket has a worker accepting from it
// and every worker listens on every address (server/socket_handoff.h, assignToWorkers).
#include <catch2/catch.hpp>

#include "server/socket_handoff.h"

using closewise::server::assignToWorkers;
using closewise::server::WorkerSocket;

TEST_CASE("one SO_REUSEPORT socket per worker: each worker adopts its own", "[handoff]") {
  // A predecessor with 2 workers and 2 addresses passes 4 sockets, grouped by address.
  const auto shares = assignToWorkers({{3, 5}, {4, 6}}, 2);
  REQUIRE(shares.size() == 2);
  CHECK(shares[0] == std::vector<WorkerSocket>{{3, false}, {4, false}});
  CHECK(shares[1] == std::vector<WorkerSocket>{{5, false}, {6, false}});
}

TEST_CASE("fewer sockets than workers: the rest share them through duplicates", "[handoff]") {
  // systemd passes one socket per address whatever --workers says.
  const auto shares = assignToWorkers({{3}}, 3);
  REQUIRE(shares.size() == 3);
  CHECK(shares[0] == std::vector<WorkerSocket>{{3, false}});
  CHECK(shares[1] == std::vector<WorkerSocket>{{3, true}});
  CHECK(shares[2] == std::vector<WorkerSocket>{{3, true}});
}

TEST_CASE("more sockets than workers: no socket is left without a worker", "[handoff]") {
  // A socket nobody accepts from would keep receiving its share of new connections from the
  // kernel's SO_REUSEPORT hash, and they would wait there until they time out.
  const auto shares = assignToWorkers({{3, 4, 5, 6}}, 2);
  REQUIRE(shares.size() == 2);
  CHECK(shares[0] == std::vector<WorkerSocket>{{3, false}, {5, false}});
  CHECK(shares[1] == std::vector<WorkerSocket>{{4, false}, {6, false}});
}
