// Keep-alive (RFC 9112 section 9.3): an HTTP/1.1 connection persists unless either side says
// "Connection: close", so several requests in turn travel over one TCP connection. The server's
// books must agree with the wire: one accept, three requests, nothing closed, the connection idle.
#include <catch2/catch.hpp>
#include <string>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

namespace {

constexpr std::string_view kHello =
    "HTTP/1.1 200 OK\r\nDate: *\r\nServer: closewise\r\nContent-Length: 3\r\n\r\nok\n";

}  // namespace

TEST_CASE("three requests in turn are answered over one kept-alive connection") {
  ServerFixture fixture;
  RawClient& client = fixture.connect();

  std::string expected;
  for (int i = 1; i <= 3; ++i) {
    // One request at a time: the next is sent only after the previous answer arrived, so each
    // exchange starts from the idle phase rather than from the pipeline.
    client.send(get("/"));
    REQUIRE(
        fixture.runUntil([&] { return client.responseCount() == static_cast<std::size_t>(i); }));
    expected += kHello;
  }
  // Every answer arrived before we checked, so the received bytes can be compared whole.
  REQUIRE(fixture.runUntil([&] { return client.receivedBytes() >= expected.size(); }));
  CHECK(withDateMasked(client.received()) == expected);
  CHECK_FALSE(client.eof());
  CHECK_FALSE(client.resetByPeer());

  const auto tally = fixture.tally();
  CHECK(tally.accepted == 1);
  CHECK(tally.requests == 3);
  CHECK(tally.closed == 0);
  CHECK(tally.open == 1);
  CHECK(fixture.inPhase(lifecycle::Phase::Idle) == 1);
}
