// A body that stalls: the head promised 100 bytes, 10 came, then silence. The body deadline is
// per read (a large upload may honestly take minutes; only a stall is suspect), so it runs from
// the last byte received; when it passes the client gets 408 and a graceful close, reason
// body_timeout.
#include <catch2/catch.hpp>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::CloseReason;
using lifecycle::Phase;

TEST_CASE("a body that stops after 10 of 100 bytes is answered 408 at the body deadline",
          "[lifecycle][deadline]") {
  ServerFixture fixture([](server::WorkerOptions& o) {
    o.timeouts.header = 10s;
    o.timeouts.body = 150ms;
  });
  RawClient& client = fixture.connect();
  client.send("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 100\r\n\r\n0123456789");
  REQUIRE(fixture.runUntil([&] { return fixture.tally().requests == 1; }));
  const auto lastByte = std::chrono::steady_clock::now();
  CHECK(fixture.inPhase(Phase::Reading) == 1);

  REQUIRE(fixture.runUntil([&] { return client.eof() || client.readError() != 0; }, 3s));
  const auto took = std::chrono::steady_clock::now() - lastByte;
  INFO("408 after " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                    << " ms of silence");
  // Lower bounds are loose on purpose: deadlines run on the loop's cached clock (uv_now), which
  // can lag the moment the test observed, so "not early" is checked with room to spare.
  CHECK(took >= 100ms);
  CHECK(took < 1500ms);

  const std::string& wire = client.received();
  CHECK(wire.rfind("HTTP/1.1 408 Request Timeout\r\n", 0) == 0);
  CHECK(wire.find("\r\nConnection: close\r\n") != std::string::npos);
  CHECK(client.eof());
  CHECK_FALSE(client.resetByPeer());
  CHECK(fixture.closedBy(CloseReason::BodyTimeout) == 1);
  CHECK(fixture.closedBy(CloseReason::HeaderTimeout) == 0);

  client.shutdownWrite();
  CHECK(fixture.runUntil([&] { return fixture.tally().open == 0; }, 2s));
}
