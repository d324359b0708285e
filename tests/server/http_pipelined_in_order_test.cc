// Pipelining (RFC 9112 section 9.3.2): a client may send several requests without waiting, and
// the server must answer them in the order they arrived. The connection parses one request, runs
// its exchange to the end, and only then parses the next, so the order is kept by construction.
#include <catch2/catch.hpp>
#include <string>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

namespace {

std::string echoRequest(std::string_view body) {
  return "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Type: text/plain\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

std::string echoAnswer(std::string_view body) {
  return "HTTP/1.1 200 OK\r\nDate: *\r\nServer: closewise\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

}  // namespace

TEST_CASE("four requests sent in one segment are answered in the order they were sent") {
  ServerFixture fixture;
  RawClient& client = fixture.connect();
  // Different routes and lengths, and a slow one first: a server that answered whichever
  // finished first would put the /delay answer last.
  client.send(get("/delay?ms=20") + echoRequest("first") + get("/nowhere") +
              echoRequest("second, longer"));

  const std::string expected =
      "HTTP/1.1 200 OK\r\nDate: *\r\nServer: closewise\r\nContent-Length: 8\r\n\r\n"
      "delayed\n" +
      echoAnswer("first") +
      "HTTP/1.1 404 Not Found\r\nDate: *\r\nServer: closewise\r\nContent-Length: 10\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n\r\n"
      "not found\n" +
      echoAnswer("second, longer");
  REQUIRE(fixture.runUntil([&] { return client.responseCount() == 4; }));
  REQUIRE(fixture.runUntil(
      [&] { return withDateMasked(client.received()).size() >= expected.size(); }));
  CHECK(withDateMasked(client.received()) == expected);
  CHECK(fixture.tally().accepted == 1);
  CHECK(fixture.tally().requests == 4);
  CHECK(fixture.inPhase(lifecycle::Phase::Idle) == 1);
}
