// A route's parameter whose raw text holds a malformed escape ("%zz", RFC 3986 section 2.1)
// has no value to give the handler: the router answers 400 (RFC 9112 section 3) without
// running it. The request itself was framed correctly, so the connection stays open.
#include <catch2/catch.hpp>
#include <string>

#include "server/router.h"
#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

TEST_CASE("a parameter with a malformed escape is 400, and the connection stays") {
  int calls = 0;
  ServerFixture fixture({}, [&calls](server::Router& router) {
    router.on("GET", "/users/{id}", [&calls](const server::Request& request, server::Responder r) {
      ++calls;
      r.send(200, std::string(request.pathValue("id")) + "\n");
    });
  });
  RawClient& client = fixture.connect();
  client.send(get("/users/%zz") + get("/users/a%4") + get("/users/a%2") + get("/users/a%20b"));

  const std::string badRequest =
      "HTTP/1.1 400 Bad Request\r\nDate: *\r\nServer: closewise\r\nContent-Length: 12\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n\r\nbad request\n";
  const std::string expected = badRequest + badRequest + badRequest +
                               "HTTP/1.1 200 OK\r\nDate: *\r\nServer: closewise\r\n"
                               "Content-Length: 4\r\n\r\na b\n";
  REQUIRE(fixture.runUntil([&] { return client.responseCount() == 4; }));
  REQUIRE(fixture.runUntil(
      [&] { return withDateMasked(client.received()).size() >= expected.size(); }));
  CHECK(withDateMasked(client.received()) == expected);
  CHECK(calls == 1);
  CHECK_FALSE(client.eof());
  CHECK(fixture.tally().closed == 0);
}
