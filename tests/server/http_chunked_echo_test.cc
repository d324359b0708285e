// A chunked request body (RFC 9112 section 7.1) is decoded before the handler sees it: /echo
// answers with the joined chunk data and a Content-Length, never with the chunk framing.
#include <catch2/catch.hpp>
#include <string>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

TEST_CASE("a chunked body is decoded and echoed with a Content-Length") {
  ServerFixture fixture;
  RawClient& client = fixture.connect();
  // Upper- and lower-case hex sizes (RFC 9112 section 7.1 allows both), a chunk extension, and
  // a chunk of 0x1A bytes so a size parsed as decimal would split the body in the wrong place.
  client.send(
      "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Type: text/plain\r\n"
      "Transfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n"
      "2;ext=1\r\n, \r\n"
      "1A\r\nabcdefghijklmnopqrstuvwxyz\r\n"
      "0\r\n\r\n");

  const std::string expected =
      "HTTP/1.1 200 OK\r\nDate: *\r\nServer: closewise\r\nContent-Length: 33\r\n\r\n"
      "hello, abcdefghijklmnopqrstuvwxyz";
  REQUIRE(fixture.runUntil([&] { return client.responseCount() == 1; }));
  REQUIRE(fixture.runUntil(
      [&] { return withDateMasked(client.received()).size() >= expected.size(); }));
  CHECK(withDateMasked(client.received()) == expected);
  CHECK_FALSE(client.eof());
  CHECK(fixture.inPhase(lifecycle::Phase::Idle) == 1);
}
