// Once the drain delay is over, the listener closes: a new connect is refused by the kernel
// (ECONNREFUSED, an RST to the SYN) rather than left in a backlog nobody will accept from, so a
// client or balancer retries elsewhere at once. The work already admitted goes on.
#include <catch2/catch.hpp>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::Phase;

TEST_CASE("after a drain begins, new connects are refused while in-flight work finishes",
          "[lifecycle][drain]") {
  ServerFixture fixture([](server::WorkerOptions& o) { o.drainTimeout = 10s; });
  RawClient& busy = fixture.connect();
  busy.send(get("/delay?ms=300"));
  REQUIRE(fixture.runUntil([&] { return fixture.inPhase(Phase::Processing) == 1; }));
  REQUIRE(fixture.kernelCount(kernel::TcpState::Listen) == 1);

  fixture.worker().beginDrain();
  // The listening socket is closed in beginDrain itself (uv_close closes the fd at once).
  CHECK(fixture.kernelCount(kernel::TcpState::Listen) == 0);
  RawClient& late = fixture.connect();
  REQUIRE(fixture.runUntil([&] { return late.connectStatus() != 1; }));
  CHECK(late.connectStatus() == UV_ECONNREFUSED);
  CHECK(fixture.tally().accepted == 1);

  REQUIRE(fixture.runUntil([&] { return busy.eof(); }, 3s));
  CHECK(busy.received().rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
}
