// A middleware may answer the exchange itself and not call next: an authentication middleware
// refuses a request without its credentials with 401 (RFC 9110 section 15.5.2, with the
// WWW-Authenticate its section 11.6.1 requires), and the handler never runs. A request that
// carries them goes through to the handler on the same connection.
#include <catch2/catch.hpp>
#include <string>

#include "server/middleware.h"
#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

TEST_CASE("a middleware answers 401 itself and the handler does not run", "[middleware]") {
  int handlerRuns = 0;
  ServerFixture fixture({}, [&](server::Router& router) {
    router.use([](const server::Request& request, server::Responder responder, server::Next next) {
      const std::string* authorization = request.header("Authorization");
      if (authorization == nullptr || *authorization != "Bearer let-me-in") {
        responder.send(401, "who are you?\n", {{"WWW-Authenticate", "Bearer"}});
        return;
      }
      next(request, std::move(responder));
    });
    router.on("GET", "/secret", [&](const server::Request&, server::Responder responder) {
      ++handlerRuns;
      responder.send(200, "the secret\n");
    });
  });
  RawClient& client = fixture.connect();
  client.send(get("/secret"));
  REQUIRE(fixture.runUntil([&] { return client.responseCount() == 1; }));
  CHECK(client.received().starts_with("HTTP/1.1 401 Unauthorized\r\n"));
  CHECK(client.received().find("\r\nWWW-Authenticate: Bearer\r\n") != std::string::npos);
  CHECK(client.received().ends_with("\r\n\r\nwho are you?\n"));
  CHECK(handlerRuns == 0);

  // The refusal is an ordinary answer: the connection stays for the next request.
  client.send(get("/secret", "Authorization: Bearer let-me-in\r\n"));
  REQUIRE(fixture.runUntil([&] { return client.responseCount() == 2; }));
  CHECK(client.received().ends_with("\r\n\r\nthe secret\n"));
  CHECK(handlerRuns == 1);
  CHECK(fixture.tally().requests == 2);
}
