// The closing phase (our FIN sent, reading and discarding until the peer's FIN) is bounded twice,
// as nginx bounds its lingering close: a per-read limit (lingerRead, nginx's lingering_timeout)
// ends it when the peer goes quiet, and a total (linger, nginx's lingering_time) ends it even
// when the peer keeps sending. The close keeps the reason it began with; lingering only decides
// when the handle goes.
#include <catch2/catch.hpp>
#include <csignal>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::CloseReason;
using lifecycle::Phase;

namespace {

void shortLinger(server::WorkerOptions& o) {
  // The answer to the first request says Connection: close, which starts the graceful close.
  o.timeouts.maxRequestsPerConnection = 1;
  o.timeouts.linger = 400ms;
  o.timeouts.lingerRead = 150ms;
}

// Makes the one exchange the connection allows; our FIN follows the answer.
void untilOurFin(ServerFixture& fixture, RawClient& client) {
  client.send(get("/"));
  REQUIRE(fixture.runUntil([&] { return client.eof(); }, 3s));
  REQUIRE(client.responseCount() == 1);
  REQUIRE(client.received().find("\r\nConnection: close\r\n") != std::string::npos);
  REQUIRE(fixture.inPhase(Phase::Closing) == 1);
}

long long msSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t)
      .count();
}

}  // namespace

TEST_CASE("a peer that stays silent after our FIN is let go after the per-read limit",
          "[lifecycle][linger]") {
  ServerFixture fixture(shortLinger);
  RawClient& client = fixture.connect();
  untilOurFin(fixture, client);
  const auto finAt = std::chrono::steady_clock::now();

  REQUIRE(fixture.runUntil([&] { return fixture.tally().open == 0; }, 3s));
  const auto took = msSince(finAt);
  INFO("closing phase lasted " << took << " ms");
  CHECK(took >= 100);  // loose: the loop's cached clock can lag what the test observed
  CHECK(took < 380);   // the per-read limit, well before the 400 ms total
  CHECK(fixture.closedBy(CloseReason::MaxRequests) == 1);
  CHECK(fixture.closedBy(CloseReason::LingerTimeout) == 0);
}

TEST_CASE("a peer that keeps sending after our FIN is let go at the total linger bound",
          "[lifecycle][linger]") {
  // This client writes to a connection that may have been reset; a failed write must come back
  // as EPIPE, not kill the test process (app/run.cc ignores SIGPIPE for the same reason).
  std::signal(SIGPIPE, SIG_IGN);
  ServerFixture fixture(shortLinger);
  RawClient& client = fixture.connect();
  untilOurFin(fixture, client);
  const auto finAt = std::chrono::steady_clock::now();

  // A byte every 30 ms: each read would buy another 150 ms under a per-read limit alone.
  int sent = 0;
  while (fixture.tally().open != 0 && msSince(finAt) < 3000) {
    client.send("x");
    ++sent;
    fixture.runUntil([&] { return fixture.tally().open == 0; }, 30ms);
  }
  const auto took = msSince(finAt);
  INFO("closing phase lasted " << took << " ms while " << sent << " bytes arrived");
  REQUIRE(fixture.tally().open == 0);
  CHECK(took >= 300);  // beyond any per-read limit (150 ms); loose for the loop's cached clock
  CHECK(took < 1500);
  CHECK(sent >= 5);
  CHECK(fixture.closedBy(CloseReason::MaxRequests) == 1);

  // What the client sends to a socket we have closed is answered with RST, so its next write
  // fails: the kernel no longer holds anything of ours for this connection.
  for (int i = 0; i < 40 && !client.writeFailed(); ++i) {
    client.send("y");
    fixture.runUntil([&] { return client.writeFailed(); }, 50ms);
  }
  CHECK(client.writeFailed());
}
