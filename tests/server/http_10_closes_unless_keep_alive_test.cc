// HTTP/1.0 persistence (RFC 9112 section 9.3): a 1.0 connection persists only if the client sent
// "Connection: keep-alive". Without it the server answers, announces "Connection: close"
// (RFC 9112 section 9.6) and sends its FIN; with it the answer says "Connection: keep-alive" and
// the connection carries the next request.
#include <catch2/catch.hpp>
#include <string>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

TEST_CASE("an HTTP/1.0 request without keep-alive is answered, then the server sends its FIN") {
  ServerFixture fixture;
  RawClient& client = fixture.connect();
  client.send("GET / HTTP/1.0\r\n\r\n");

  REQUIRE(fixture.runUntil([&] { return client.eof(); }));
  CHECK(withDateMasked(client.received()) ==
        "HTTP/1.1 200 OK\r\nDate: *\r\nServer: closewise\r\nContent-Length: 3\r\n"
        "Connection: close\r\n\r\nok\n");
  CHECK_FALSE(client.resetByPeer());
  // The client asked to close (by not asking to stay): the books say so, apart from the clients
  // that vanished with a FIN (peer_closed).
  CHECK(fixture.closedBy(lifecycle::CloseReason::ClientRequested) == 1);
  CHECK(fixture.closedBy(lifecycle::CloseReason::PeerClosed) == 0);
  CHECK(fixture.tally().accepted == 1);
}

TEST_CASE("an HTTP/1.0 request with Connection: keep-alive keeps the connection for the next") {
  ServerFixture fixture;
  RawClient& client = fixture.connect();
  const std::string request = "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
  const std::string answer =
      "HTTP/1.1 200 OK\r\nDate: *\r\nServer: closewise\r\nContent-Length: 3\r\n"
      "Connection: keep-alive\r\n\r\nok\n";

  client.send(request);
  REQUIRE(fixture.runUntil([&] { return client.receivedBytes() >= answer.size(); }));
  client.send(request);
  REQUIRE(fixture.runUntil([&] { return client.receivedBytes() >= 2 * answer.size(); }));

  CHECK(withDateMasked(client.received()) == answer + answer);
  CHECK_FALSE(client.eof());
  CHECK(fixture.tally().accepted == 1);
  CHECK(fixture.tally().closed == 0);
  CHECK(fixture.inPhase(lifecycle::Phase::Idle) == 1);
}
