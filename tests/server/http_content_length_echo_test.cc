// A body framed by Content-Length (RFC 9112 section 6.2) reaches the handler whole: /echo sends
// back exactly the bytes it got. A large body arrives in many reads, which the connection must
// join without losing, reordering or duplicating a byte.
#include <catch2/catch.hpp>
#include <string>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

namespace {

std::string echoRequest(const std::string& body) {
  return "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Type: text/plain\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string echoAnswer(const std::string& body) {
  return "HTTP/1.1 200 OK\r\nDate: *\r\nServer: closewise\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

// 256 KiB of a pattern that does not repeat on any power-of-two stride, so a dropped or doubled
// read would change the bytes, not just their count.
std::string patternedBody(std::size_t size) {
  std::string body(size, '\0');
  for (std::size_t i = 0; i < size; ++i) body[i] = static_cast<char>('a' + (i * 7 + i / 251) % 26);
  return body;
}

}  // namespace

TEST_CASE("a Content-Length body is echoed byte for byte") {
  ServerFixture fixture;
  RawClient& client = fixture.connect();
  const std::string small = "hello, body";
  const std::string large = patternedBody(256 * 1024);

  client.send(echoRequest(small));
  client.send(echoRequest(large));
  const std::string expected = echoAnswer(small) + echoAnswer(large);
  REQUIRE(fixture.runUntil([&] {
    return client.responseCount() == 2 &&
           withDateMasked(client.received()).size() >= expected.size();
  }));
  CHECK(withDateMasked(client.received()) == expected);
  CHECK(fixture.tally().requests == 2);
  CHECK(fixture.inPhase(lifecycle::Phase::Idle) == 1);
}

TEST_CASE("an empty Content-Length body is echoed as an empty answer") {
  ServerFixture fixture;
  RawClient& client = fixture.connect();
  client.send(echoRequest(""));
  const std::string expected = echoAnswer("");
  REQUIRE(fixture.runUntil([&] { return client.responseCount() == 1; }));
  REQUIRE(fixture.runUntil(
      [&] { return withDateMasked(client.received()).size() >= expected.size(); }));
  CHECK(withDateMasked(client.received()) == expected);
}
