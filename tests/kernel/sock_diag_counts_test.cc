// The reader counts the sockets whose LOCAL port is ours, and only those: the server-side ends of
// our connections and our listeners. Client sockets connected to our port (our port is their
// remote port) and sockets of an unrelated service are left out by the kernel-side port filter.
#include <algorithm>
#include <catch2/catch.hpp>

#include "kernel/sock_diag.h"
#include "tests/support/loopback_sockets.h"

using namespace closewise::kernel;
using namespace closewise::test;

TEST_CASE("sock_diag counts server-side sockets on our port and nothing else") {
  LoopbackService ours("127.0.0.1", 3);
  LoopbackService unrelated("127.0.0.1", 4);
  REQUIRE(ours.ready());
  REQUIRE(unrelated.ready());

  KernelStateReader reader({ours.port()});
  const KernelView view = reader.query();

  REQUIRE(view.error.empty());
  CHECK(view.source == "sock_diag");
  CHECK(view.fallbackReason.empty());
  // Three accepted sockets; the three clients have our port as their remote port.
  CHECK(view.count(TcpState::Established) == 3);
  CHECK(view.count(TcpState::Listen) == 1);
  CHECK(totalSockets(view) == 4);
  // The port filter runs in the kernel: the unrelated service's sockets never reach us.
  CHECK(view.socketsExamined == 4);
  REQUIRE(view.listenQueues.size() == 1);
  CHECK(view.listenQueues[0].address == "127.0.0.1:" + std::to_string(ours.port()));
  CHECK(view.listenQueues[0].pending == 0);
}

TEST_CASE("sock_diag matches any of several ports, in both address families") {
  LoopbackService first("127.0.0.1", 2);
  LoopbackService second("127.0.0.1", 1);
  LoopbackService unrelated("127.0.0.1", 5);
  REQUIRE(first.ready());
  REQUIRE(second.ready());
  REQUIRE(unrelated.ready());
  std::vector<std::uint16_t> ports{first.port(), second.port()};
  std::uint64_t expectedEstablished = 3;
  std::uint64_t expectedListen = 2;

  // The IPv6 dump is a separate request; exercise it when the host has ::1.
  LoopbackService v6("::1", 2);
  if (v6.ready()) {
    ports.push_back(v6.port());
    expectedEstablished += 2;
    expectedListen += 1;
  } else {
    WARN("no IPv6 loopback here; the AF_INET6 dump is not exercised");
  }

  KernelStateReader reader(ports);
  const KernelView view = reader.query();

  REQUIRE(view.error.empty());
  CHECK(view.source == "sock_diag");
  CHECK(view.count(TcpState::Established) == expectedEstablished);
  CHECK(view.count(TcpState::Listen) == expectedListen);
  CHECK(totalSockets(view) == expectedEstablished + expectedListen);
  CHECK(view.socketsExamined == totalSockets(view));
  CHECK(view.listenQueues.size() == expectedListen);
  if (v6.ready()) {
    const std::string v6Address = "[::1]:" + std::to_string(v6.port());
    CHECK(std::any_of(view.listenQueues.begin(), view.listenQueues.end(),
                      [&](const ListenQueue& queue) { return queue.address == v6Address; }));
  }
}

TEST_CASE("sock_diag counts only our listener when the unrelated service is the busy one") {
  LoopbackService ours("127.0.0.1", 0);
  LoopbackService unrelated("127.0.0.1", 6);
  REQUIRE(ours.ready());
  REQUIRE(unrelated.ready());

  KernelStateReader reader({ours.port()});
  const KernelView view = reader.query();

  REQUIRE(view.error.empty());
  CHECK(view.count(TcpState::Listen) == 1);
  CHECK(totalSockets(view) == 1);
  CHECK(view.socketsExamined == 1);

  // And the same reader pointed at the other service sees its six connections.
  KernelStateReader other({unrelated.port()});
  CHECK(other.query().count(TcpState::Established) == 6);
}
