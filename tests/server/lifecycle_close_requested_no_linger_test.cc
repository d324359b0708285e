// When the client itself asked to close (Connection: close) and nothing it sent is left unread,
// the answer is followed by close() at once: there is no input whose arrival could turn the close
// into an RST, so a lingering close would only hold the socket (and a round trip) for nothing.
// When input is left unread (a pipelined request after the "close" one), the close lingers as
// usual, so the client still reads its whole answer and no RST.
#include <catch2/catch.hpp>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::CloseReason;
using lifecycle::Phase;

namespace {

// A linger long enough that a close within the test's limits cannot be the linger deadline.
void longLinger(server::WorkerOptions& o) {
  o.timeouts.linger = 30s;
}

// The client never sends its FIN, yet the server's connection is gone: it did not linger.
void requireClosedAtOnce(ServerFixture& fixture, RawClient& client) {
  REQUIRE(fixture.runUntil([&] { return client.eof() && fixture.tally().open == 0; }, 2s));
  CHECK(client.responseCount() == 1);
  CHECK_FALSE(client.resetByPeer());
  CHECK(fixture.closedBy(CloseReason::ClientRequested) == 1);
  CHECK(fixture.closedBy(CloseReason::LingerTimeout) == 0);
}

// The client has its whole answer and our FIN, and the server lingers, reading and discarding,
// until the client's FIN; no RST at any point.
void requireLingersUntilFin(ServerFixture& fixture, RawClient& client) {
  REQUIRE(fixture.runUntil([&] { return client.eof(); }, 2s));
  CHECK(client.responseCount() == 1);
  CHECK_FALSE(client.resetByPeer());
  fixture.runFor(100ms);
  CHECK(fixture.inPhase(Phase::Closing) == 1);
  client.shutdownWrite();
  REQUIRE(fixture.runUntil([&] { return fixture.tally().open == 0; }, 2s));
  CHECK(fixture.closedBy(CloseReason::ClientRequested) == 1);
  CHECK_FALSE(client.resetByPeer());
}

}  // namespace

TEST_CASE("Connection: close with nothing unread closes at once, without lingering",
          "[lifecycle][linger]") {
  ServerFixture fixture(longLinger);
  RawClient& client = fixture.connect();
  client.send(get("/", "Connection: close\r\n"));

  requireClosedAtOnce(fixture, client);
  CHECK(client.received().ends_with("\r\n\r\nok\n"));
  // Our FIN went out after the answer (FIN_WAIT1 until the client's ACK, then FIN_WAIT2), on a
  // socket that no longer has an fd; nothing of ours is left ESTABLISHED or in CLOSE_WAIT.
  CHECK(fixture.runUntil(
      [&] {
        return fixture.kernelCount(kernel::TcpState::FinWait1) +
                       fixture.kernelCount(kernel::TcpState::FinWait2) ==
                   1 &&
               fixture.kernelCount(kernel::TcpState::Established) == 0 &&
               fixture.kernelCount(kernel::TcpState::CloseWait) == 0;
      },
      1s));
}

TEST_CASE("Connection: close with a pipelined request left unread still lingers",
          "[lifecycle][linger]") {
  ServerFixture fixture(longLinger);
  RawClient& client = fixture.connect();
  client.send(get("/", "Connection: close\r\n") + get("/"));
  requireLingersUntilFin(fixture, client);
}

TEST_CASE("Connection: close answered after the read still closes at once when nothing is unread",
          "[lifecycle][linger]") {
  // The answer comes from a timer, not from the read that brought the request, so the server
  // cannot lean on that read having emptied the kernel's queue: it asks (FIONREAD) and, with
  // nothing there, closes without lingering all the same.
  ServerFixture fixture(longLinger);
  RawClient& client = fixture.connect();
  client.send(get("/delay?ms=50", "Connection: close\r\n"));
  requireClosedAtOnce(fixture, client);
}

TEST_CASE("Connection: close with bytes sent while the handler works lingers for them",
          "[lifecycle][linger]") {
  ServerFixture fixture(longLinger);
  RawClient& client = fixture.connect();
  client.send(get("/delay?ms=200", "Connection: close\r\n"));
  fixture.runFor(50ms);
  client.send(get("/"));  // against RFC 9112 section 9.6, but it must not cost the answer
  requireLingersUntilFin(fixture, client);
}
