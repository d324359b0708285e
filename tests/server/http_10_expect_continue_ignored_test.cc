// "Expect: 100-continue" from an HTTP/1.0 client is ignored (RFC 9110 section 10.1.1): a 1.0
// client knows no interim answers, so "HTTP/1.1 100 Continue" would reach it as the answer to its
// request. It gets nothing until its body has arrived, then the one final answer.
#include <catch2/catch.hpp>
#include <string>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

TEST_CASE("an HTTP/1.0 request with Expect: 100-continue gets no 100, only the final answer") {
  ServerFixture fixture;
  RawClient& client = fixture.connect();
  client.send(
      "POST /echo HTTP/1.0\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n"
      "Expect: 100-continue\r\n\r\n");
  // A 1.1 client would have its 100 Continue by now (http_expect_continue_test.cc).
  fixture.runFor(50ms);
  CHECK(client.received().empty());

  client.send("hello");
  REQUIRE(fixture.runUntil([&] { return client.eof(); }));
  CHECK(withDateMasked(client.received()) ==
        "HTTP/1.1 200 OK\r\nDate: *\r\nServer: closewise\r\nContent-Length: 5\r\n"
        "Connection: close\r\n\r\nhello");
}
