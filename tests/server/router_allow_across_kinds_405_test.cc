// A path that routes match, but none with the request's method, is answered 405 with an Allow
// header naming every method of every route that matches it: exact, {name} and subtree alike,
// HEAD wherever GET is (RFC 9110 sections 15.5.6 and 9.3.2). A method that some matching route
// has is served by it, even when a more specific route has the path with other methods (as Go's
// ServeMux chooses). A path no route matches is 404.
#include <catch2/catch.hpp>
#include <string>

#include "server/router.h"
#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

namespace {

void answer(server::Responder& r, std::string_view body) {
  r.send(200, std::string(body));
}

std::string notAllowed(std::string_view allow) {
  return "HTTP/1.1 405 Method Not Allowed\r\nDate: *\r\nServer: closewise\r\n"
         "Content-Length: 19\r\nContent-Type: text/plain; charset=utf-8\r\nAllow: " +
         std::string(allow) + "\r\n\r\nmethod not allowed\n";
}

std::string ok(std::string_view body) {
  return "HTTP/1.1 200 OK\r\nDate: *\r\nServer: closewise\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

}  // namespace

TEST_CASE("405's Allow names the methods of exact, parameter and subtree routes together") {
  ServerFixture fixture({}, [](server::Router& router) {
    router.on("GET", "/api/users/me",
              [](const server::Request&, server::Responder r) { answer(r, "me\n"); });
    router.on("PUT", "/api/users/{id}",
              [](const server::Request&, server::Responder r) { answer(r, "put\n"); });
    router.on("POST", "/api/*",
              [](const server::Request&, server::Responder r) { answer(r, "post\n"); });
    router.on("HEAD", "/api/users/{id}/x",
              [](const server::Request&, server::Responder r) { answer(r, ""); });
  });
  RawClient& client = fixture.connect();
  client.send(
      "DELETE /api/users/me HTTP/1.1\r\nHost: t\r\n\r\n"  // all three kinds match
      "DELETE /api/users/7 HTTP/1.1\r\nHost: t\r\n\r\n"   // {id} and the subtree
      "DELETE /api/other HTTP/1.1\r\nHost: t\r\n\r\n"     // the subtree alone
      "GET /api/users/7/x HTTP/1.1\r\nHost: t\r\n\r\n"    // HEAD alone: no GET added
      "PUT /api/users/me HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n"
      "POST /api/users/me HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n"
      "DELETE /elsewhere HTTP/1.1\r\nHost: t\r\n\r\n");

  const std::string expected =
      notAllowed("GET, HEAD, PUT, POST") + notAllowed("PUT, POST") + notAllowed("POST") +
      notAllowed("HEAD, POST") + ok("put\n") + ok("post\n") +
      "HTTP/1.1 404 Not Found\r\nDate: *\r\nServer: closewise\r\nContent-Length: 10\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n\r\nnot found\n";
  REQUIRE(fixture.runUntil([&] { return client.responseCount() == 7; }));
  REQUIRE(fixture.runUntil(
      [&] { return withDateMasked(client.received()).size() >= expected.size(); }));
  CHECK(withDateMasked(client.received()) == expected);
  CHECK_FALSE(client.eof());
  CHECK(fixture.tally().closed == 0);
}
