// The demo route GET / answers a fixed greeting, and HEAD / the same head without the body
// (RFC 9110 section 9.3.2: the server sends the header fields it would have sent for GET).
#include <catch2/catch.hpp>
#include <string>

#include "tests/server/demo_routes/demo_fixture.h"

using namespace closewise;
using namespace closewise::testing;

namespace {

constexpr std::string_view kHead =
    "HTTP/1.1 200 OK\r\nDate: *\r\nServer: closewise\r\nContent-Length: 21\r\n"
    "Content-Type: text/plain\r\n\r\n";

}  // namespace

TEST_CASE("GET / answers the greeting, and HEAD / the same head without the body") {
  DemoFixture fixture;
  RawClient& client = fixture.connect();
  client.send(get("/") + "HEAD / HTTP/1.1\r\nHost: test\r\n\r\n" + get("/"));

  const std::string expected = std::string(kHead) + "hello from closewise\n" + std::string(kHead) +
                               std::string(kHead) + "hello from closewise\n";
  REQUIRE(fixture.runUntil([&] { return client.responseCount() == 3; }));
  REQUIRE(fixture.runUntil(
      [&] { return withDateMasked(client.received()).size() >= expected.size(); }));
  CHECK(withDateMasked(client.received()) == expected);
}
