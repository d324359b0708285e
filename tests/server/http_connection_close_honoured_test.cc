// A client's "Connection: close" (RFC 9112 section 9.6) is honoured: the answer carries
// "Connection: close", the server sends its FIN after the last byte of it, and nothing the
// client pipelined after that request is answered, because the connection ends with this one.
#include <catch2/catch.hpp>
#include <string>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

TEST_CASE("Connection: close from the client is answered with Connection: close, then FIN") {
  ServerFixture fixture;
  RawClient& client = fixture.connect();
  // The second request follows in the same segment; RFC 9112 section 9.6 says a server that
  // sent "close" must not process any further request on the connection.
  client.send(get("/", "Connection: close\r\n") + get("/"));

  REQUIRE(fixture.runUntil([&] { return client.eof(); }));
  CHECK(withDateMasked(client.received()) ==
        "HTTP/1.1 200 OK\r\nDate: *\r\nServer: closewise\r\nContent-Length: 3\r\n"
        "Connection: close\r\n\r\nok\n");
  CHECK_FALSE(client.resetByPeer());
  CHECK(client.readError() == 0);
  CHECK(fixture.tally().requests == 1);
  CHECK(fixture.closedBy(lifecycle::CloseReason::ClientRequested) == 1);
  CHECK(fixture.closedBy(lifecycle::CloseReason::PeerClosed) == 0);
}
