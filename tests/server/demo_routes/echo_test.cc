// The demo route /echo answers any method with the request body, under the request's own
// Content-Type, or application/octet-stream when the request named none.
#include <catch2/catch.hpp>
#include <string>

#include "tests/server/demo_routes/demo_fixture.h"

using namespace closewise;
using namespace closewise::testing;

TEST_CASE("/echo answers the body under the request's Content-Type, or application/octet-stream") {
  DemoFixture fixture;
  RawClient& client = fixture.connect();
  client.send(
      "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\n"
      "hello"
      "PUT /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 3\r\n\r\nabc");

  const std::string expected =
      "HTTP/1.1 200 OK\r\nDate: *\r\nServer: closewise\r\nContent-Length: 5\r\n"
      "Content-Type: text/plain\r\n\r\nhello"
      "HTTP/1.1 200 OK\r\nDate: *\r\nServer: closewise\r\nContent-Length: 3\r\n"
      "Content-Type: application/octet-stream\r\n\r\nabc";
  REQUIRE(fixture.runUntil([&] { return client.responseCount() == 2; }));
  REQUIRE(fixture.runUntil(
      [&] { return withDateMasked(client.received()).size() >= expected.size(); }));
  CHECK(withDateMasked(client.received()) == expected);
}
