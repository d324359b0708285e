// A known path asked with a method it does not serve is answered 405 with an Allow header naming
// the methods it does serve (RFC 9110 section 15.5.6: the Allow field is a MUST). Like 404 it is
// an ordinary answer, so the connection stays open. HEAD is served wherever GET is (RFC 9110
// section 9.3.2), with the GET answer's headers and no body, so Allow names it beside GET.
#include <catch2/catch.hpp>
#include <string>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

TEST_CASE("a known path with the wrong method gets 405 with Allow, and the connection stays") {
  ServerFixture fixture({}, [](server::Router& router) {
    // A path with two methods, so Allow must list both.
    router.on("GET", "/item",
              [](const server::Request&, server::Responder r) { r.send(200, "item\n"); });
    router.on("PUT", "/item", [](const server::Request&, server::Responder r) { r.send(204, ""); });
  });
  RawClient& client = fixture.connect();
  client.send("POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 0\r\n\r\n" +
              std::string("DELETE /item HTTP/1.1\r\nHost: test\r\n\r\n") +
              "HEAD / HTTP/1.1\r\nHost: test\r\n\r\n");

  const std::string expected =
      "HTTP/1.1 405 Method Not Allowed\r\nDate: *\r\nServer: closewise\r\n"
      "Content-Length: 19\r\nContent-Type: text/plain; charset=utf-8\r\nAllow: GET, "
      "HEAD\r\n\r\nmethod not allowed\n"
      "HTTP/1.1 405 Method Not Allowed\r\nDate: *\r\nServer: closewise\r\n"
      "Content-Length: 19\r\nContent-Type: text/plain; charset=utf-8\r\nAllow: GET, "
      "HEAD, PUT\r\n\r\nmethod not allowed\n"
      "HTTP/1.1 200 OK\r\nDate: *\r\nServer: closewise\r\nContent-Length: 3\r\n\r\n";
  REQUIRE(fixture.runUntil([&] { return client.responseCount() == 3; }));
  REQUIRE(fixture.runUntil(
      [&] { return withDateMasked(client.received()).size() >= expected.size(); }));
  fixture.runFor(20ms);  // a HEAD answer that wrongly carried a body would arrive by now
  CHECK(withDateMasked(client.received()) == expected);
  CHECK_FALSE(client.eof());
  CHECK(fixture.tally().closed == 0);
}
