// The routing example of docs/handler-api.md ("Routes and path parameters"), compiled and
// exercised. Everything between the BEGIN and END markers is quoted in the doc verbatim.
#include <catch2/catch.hpp>
#include <string>

#include "tests/support/fixture.h"

// BEGIN routing example
#include <optional>
#include <string>
#include <string_view>

#include "server/router.h"

namespace example {

using closewise::server::Request;
using closewise::server::Responder;
using closewise::server::Router;

void registerUserRoutes(Router& router) {
  // GET /users/7: {id} is one segment, percent-decoded ("/users/a%2Fb" gives "a/b").
  router.on("GET", "/users/{id}", [](const Request& request, Responder responder) {
    responder.send(200, "user " + std::string(request.pathValue("id")) + "\n");
  });
  // An exact path beats the pattern, whatever the order of registration.
  router.on("GET", "/users/me",
            [](const Request&, Responder responder) { responder.send(200, "it is you\n"); });
  // GET /users/7/files/a/b.txt: {path...} is the rest of the path, possibly empty.
  router.on("GET", "/users/{id}/files/{path...}", [](const Request& request, Responder responder) {
    responder.send(200, std::string(request.pathValue("id")) + " wants \"" +
                            std::string(request.pathValue("path")) + "\"\n");
  });
  // GET /search?q=caf%C3%A9+au+lait: queryValue() decodes, queryParam() gives the raw bytes.
  router.on("GET", "/search", [](const Request& request, Responder responder) {
    const std::optional<std::string> q = request.queryValue("q");
    if (!q) return void(responder.send(400, "the query needs q\n"));
    responder.send(200, "searching for " + *q + "\n");
  });
}

}  // namespace example
// END routing example

using namespace closewise;
using namespace closewise::testing;

namespace {

std::string ok(std::string_view body) {
  return "HTTP/1.1 200 OK\r\nDate: *\r\nServer: closewise\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

}  // namespace

TEST_CASE("the routing example reads its path parameters and its decoded query") {
  ServerFixture fixture({}, [](server::Router& router) { example::registerUserRoutes(router); });
  RawClient& client = fixture.connect();
  client.send(get("/users/7") + get("/users/me") + get("/users/a%2Fb") +
              get("/users/7/files/a/b%20c.txt") + get("/users/7/files/") +
              get("/search?q=caf%C3%A9+au+lait"));

  const std::string expected = ok("user 7\n") + ok("it is you\n") + ok("user a/b\n") +
                               ok("7 wants \"a/b c.txt\"\n") + ok("7 wants \"\"\n") +
                               ok("searching for caf\xC3\xA9 au lait\n");
  REQUIRE(fixture.runUntil([&] { return client.responseCount() == 6; }));
  REQUIRE(fixture.runUntil(
      [&] { return withDateMasked(client.received()).size() >= expected.size(); }));
  CHECK(withDateMasked(client.received()) == expected);
}
