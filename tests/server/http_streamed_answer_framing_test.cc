// A streamed answer (start() without a length, then write() and end()) has no length up front. To
// an HTTP/1.1 client it is chunked (RFC 9112 section 7.1), one chunk per write and the last chunk
// at the end, and the connection stays open. An HTTP/1.0 client cannot read chunked coding, so it
// gets the raw bytes and the end of the body is our FIN (RFC 9112 section 6.3 item 8), even when
// it asked to keep the connection.
#include <catch2/catch.hpp>
#include <string>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

namespace {

void streamedRoute(server::Router& router) {
  router.on("GET", "/streamed", [](const server::Request&, server::Responder r) {
    r.start(200);
    r.write("one ");
    r.write("two");
    r.end();
  });
}

}  // namespace

TEST_CASE("a streamed answer to HTTP/1.1 is chunked, on a kept connection") {
  ServerFixture fixture({}, streamedRoute);
  RawClient& client = fixture.connect();
  client.send(get("/streamed"));

  REQUIRE(fixture.runUntil([&] { return client.received().ends_with("0\r\n\r\n"); }));
  CHECK(withDateMasked(client.received()) ==
        "HTTP/1.1 200 OK\r\nDate: *\r\nServer: closewise\r\nTransfer-Encoding: chunked\r\n\r\n"
        "4\r\none \r\n3\r\ntwo\r\n0\r\n\r\n");
  REQUIRE(fixture.runUntil([&] { return fixture.inPhase(lifecycle::Phase::Idle) == 1; }));
  CHECK_FALSE(client.eof());
}

TEST_CASE("a streamed answer to HTTP/1.0 is close-delimited, even with keep-alive") {
  ServerFixture fixture({}, streamedRoute);
  RawClient& client = fixture.connect();
  client.send("GET /streamed HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");

  REQUIRE(fixture.runUntil([&] { return client.eof(); }));
  CHECK(withDateMasked(client.received()) ==
        "HTTP/1.1 200 OK\r\nDate: *\r\nServer: closewise\r\nConnection: close\r\n\r\none two");
  CHECK_FALSE(client.resetByPeer());
}
