// A path no route knows is answered 404 (RFC 9110 section 15.5.5). It is an ordinary answer, not
// a protocol error: the connection stays open for the next request.
#include <catch2/catch.hpp>
#include <string>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

TEST_CASE("an unknown path gets 404 and the connection stays open") {
  ServerFixture fixture;
  RawClient& client = fixture.connect();
  // The router matches the path without its query, and exactly: "/echo/" is not "/echo".
  client.send(get("/no/such/path?x=1") + get("/echo/") + get("/"));

  const std::string notFound =
      "HTTP/1.1 404 Not Found\r\nDate: *\r\nServer: closewise\r\nContent-Length: 10\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n\r\n"
      "not found\n";
  const std::string expected = notFound + notFound +
                               "HTTP/1.1 200 OK\r\nDate: *\r\nServer: closewise\r\n"
                               "Content-Length: 3\r\n\r\nok\n";
  REQUIRE(fixture.runUntil([&] { return client.responseCount() == 3; }));
  REQUIRE(fixture.runUntil(
      [&] { return withDateMasked(client.received()).size() >= expected.size(); }));
  CHECK(withDateMasked(client.received()) == expected);
  CHECK_FALSE(client.eof());
  CHECK(fixture.tally().closed == 0);
}
