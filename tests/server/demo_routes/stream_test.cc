// The demo route /stream?chunks=C&ms=M writes C pieces M milliseconds apart. To an HTTP/1.1
// client the length is unknown up front, so the answer is chunked (RFC 9112 section 7.1), one
// chunk per piece and the last chunk at the end, and the connection stays open. An HTTP/1.0
// client cannot read chunked coding, so it gets the raw pieces and the end is our FIN (RFC 9112
// section 6.3 item 8).
#include <catch2/catch.hpp>
#include <string>

#include "tests/server/demo_routes/demo_fixture.h"

using namespace closewise;
using namespace closewise::testing;

TEST_CASE("/stream?chunks=3&ms=10 is three chunks and the last chunk, on a kept connection") {
  DemoFixture fixture;
  RawClient& client = fixture.connect();
  client.send(get("/stream?chunks=3&ms=10"));

  const std::string expected =
      "HTTP/1.1 200 OK\r\nDate: *\r\nServer: closewise\r\nTransfer-Encoding: chunked\r\n"
      "Content-Type: text/plain\r\n\r\n"
      "8\r\nchunk 0\n\r\n8\r\nchunk 1\n\r\n8\r\nchunk 2\n\r\n0\r\n\r\n";
  REQUIRE(fixture.runUntil([&] { return client.received().ends_with("0\r\n\r\n"); }));
  CHECK(withDateMasked(client.received()) == expected);
  // The answer is complete and delimited, so the connection waits for the next request.
  REQUIRE(fixture.runUntil([&] { return fixture.inPhase(lifecycle::Phase::Idle) == 1; }));
  CHECK_FALSE(client.eof());
}

// RFC 9112 section 6.3: an HTTP/1.0 client cannot read chunked coding, so a streamed answer of
// unknown length is delimited by the close of the connection.
TEST_CASE("/stream to an HTTP/1.0 client is close-delimited", "[http]") {
  DemoFixture fixture;
  RawClient& client = fixture.connect();
  client.send("GET /stream?chunks=3&ms=10 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");

  REQUIRE(fixture.runUntil([&] { return client.eof(); }));
  CHECK(withDateMasked(client.received()) ==
        "HTTP/1.1 200 OK\r\nDate: *\r\nServer: closewise\r\nConnection: close\r\n"
        "Content-Type: text/plain\r\n\r\nchunk 0\nchunk 1\nchunk 2\n");
  CHECK_FALSE(client.resetByPeer());
}
