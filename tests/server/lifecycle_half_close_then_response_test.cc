// A client may send its request and then half-close (shutdown(SHUT_WR), a FIN): RFC 9112
// section 9.6 says that ends only its sending, and RFC 9293 section 3.6 lets the other direction
// go on. closewise answers in full, announces the close, and then closes its own side, so the
// socket never sits in CLOSE_WAIT once the answer is out.
#include <catch2/catch.hpp>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::CloseReason;

TEST_CASE("a request followed by FIN gets the complete answer, then EOF", "[lifecycle][fin]") {
  ServerFixture fixture;
  RawClient& client = fixture.connect();
  client.send(get("/delay?ms=100"));
  client.shutdownWrite();

  REQUIRE(fixture.runUntil([&] { return client.eof() || client.readError() != 0; }, 5s));

  const std::string& wire = client.received();
  CHECK(wire.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(wire.find("\r\nConnection: close\r\n") != std::string::npos);
  CHECK(wire.find("\r\nContent-Length: 8\r\n") != std::string::npos);
  CHECK(wire.size() >= 8);
  CHECK(wire.substr(wire.size() - 12) == "\r\n\r\ndelayed\n");
  CHECK(client.eof());
  CHECK_FALSE(client.resetByPeer());

  // The answer did not end the connection on a whim: the peer's FIN did.
  REQUIRE(fixture.runUntil([&] { return fixture.tally().open == 0; }, 2s));
  CHECK(fixture.closedBy(CloseReason::PeerClosed) == 1);
  CHECK(fixture.tally().closed == 1);

  // Both FINs are exchanged, so the kernel holds no CLOSE_WAIT for our port; our FIN went
  // second, so our side passes through LAST_ACK and is gone (no TIME_WAIT on the server).
  CHECK(fixture.runUntil(
      [&] {
        return fixture.kernelCount(kernel::TcpState::CloseWait) == 0 &&
               fixture.kernelCount(kernel::TcpState::LastAck) == 0;
      },
      2s));
  CHECK(fixture.kernelCount(kernel::TcpState::Established) == 0);
  CHECK(fixture.kernelCount(kernel::TcpState::TimeWait) == 0);
}
