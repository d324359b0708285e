// An HTTP/1.0 request with "Transfer-Encoding: chunked" and "Connection: keep-alive" must not keep
// its connection (RFC 9112 section 6.1: the framing is faulty). closewise answers 400 with
// Connection: close, closes, and never answers the request pipelined behind it, which a 1.0
// intermediary in front may have framed as part of this one's body.
#include <catch2/catch.hpp>
#include <string>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

TEST_CASE("HTTP/1.0 with Transfer-Encoding is a 400 and the pipelined request is not answered") {
  ServerFixture fixture;
  RawClient& client = fixture.connect();
  client.send(
      "POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n"
      "5\r\nhello\r\n0\r\n\r\n" +
      get("/"));

  REQUIRE(fixture.runUntil([&] { return client.eof() || client.readError() != 0; }));
  const std::string body = "transfer-encoding in an http/1.0 request\n";
  CHECK(withDateMasked(client.received()) ==
        "HTTP/1.1 400 Bad Request\r\nDate: *\r\nServer: closewise\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Length: " +
            std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
  CHECK(client.responseCount() == 1);
  CHECK(client.eof());
  CHECK_FALSE(client.resetByPeer());
  CHECK(fixture.closedBy(lifecycle::CloseReason::ProtocolError) == 1);
  CHECK(fixture.tally().requests == 0);
}
