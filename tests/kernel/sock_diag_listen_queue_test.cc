// For a listener the kernel reports the accept queue (connections the kernel has completed and
// the server has not accept()ed) and the backlog listen() set. A queue near its backlog means the
// loop is not accepting fast enough; new SYNs will soon be dropped.
#include <catch2/catch.hpp>
#include <vector>

#include "kernel/sock_diag.h"
#include "tests/support/loopback_sockets.h"

using namespace closewise::kernel;
using namespace closewise::test;

TEST_CASE("unaccepted connections show as pending against the listen backlog") {
  UniqueFd listener = listenOn("127.0.0.1", 7);
  REQUIRE(listener.valid());
  const std::uint16_t port = localPort(listener.get());
  KernelStateReader reader({port});

  std::vector<UniqueFd> clients;
  for (int i = 0; i < 3; ++i) {
    clients.push_back(connectTo(listener.get()));
    REQUIRE(clients.back().valid());
  }

  KernelView view;
  REQUIRE(waitUntil([&] {
    view = reader.query();
    return view.listenQueues.size() == 1 && view.listenQueues[0].pending == 3;
  }));
  REQUIRE(view.error.empty());
  CHECK(view.listenQueues[0].address == "127.0.0.1:" + std::to_string(port));
  CHECK(view.listenQueues[0].backlog == 7);
  // The queued connections are complete: the kernel already counts them as ESTABLISHED.
  CHECK(view.count(TcpState::Established) == 3);

  UniqueFd accepted = acceptOne(listener.get());
  REQUIRE(accepted.valid());
  view = reader.query();
  REQUIRE(view.listenQueues.size() == 1);
  CHECK(view.listenQueues[0].pending == 2);
}
