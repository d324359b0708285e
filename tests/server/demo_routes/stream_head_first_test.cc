// A streamed answer's head is sent when the handler starts it, not held back until the first
// piece of body: a client (or a balancer's first-byte timeout) sees the answer begin at once. And
// the end of the body follows the last piece at once, without another interval of silence.
#include <catch2/catch.hpp>
#include <chrono>

#include "tests/server/demo_routes/demo_fixture.h"

using namespace closewise;
using namespace closewise::testing;

TEST_CASE("/stream sends its head at once and ends with its last chunk") {
  DemoFixture fixture;
  RawClient& client = fixture.connect();
  const auto sent = std::chrono::steady_clock::now();
  // Two chunks 300 ms apart: the head must arrive long before the first of them.
  client.send(get("/stream?chunks=2&ms=300"));
  REQUIRE(fixture.runUntil([&] { return client.received().find("\r\n\r\n") != std::string::npos; },
                           2s));
  const auto headAfter = std::chrono::steady_clock::now() - sent;
  CHECK(headAfter < 200ms);
  CHECK(client.received().find("chunk 0") == std::string::npos);

  REQUIRE(fixture.runUntil([&] { return client.received().ends_with("0\r\n\r\n"); }, 3s));
  const auto endAfter = std::chrono::steady_clock::now() - sent;
  // Two intervals (600 ms), not three.
  CHECK(endAfter < 850ms);
  CHECK(client.received().find("chunk 1\n\r\n0\r\n\r\n") != std::string::npos);
}
