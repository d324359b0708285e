// JSON text is UTF-8 (RFC 8259 section 8.1), and nlohmann-json's dump() throws on a string that
// is not, in the middle of a libuv callback. A handler easily puts such a string in an answer:
// a header, a path, an upstream's bytes. sendJson writes U+FFFD in place of
// each bad byte instead, and answers.
#include <catch2/catch.hpp>
#include <string>

#include "server/json.h"
#include "tests/server/json_exchange.h"
#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

TEST_CASE("sendJson answers a string that is not UTF-8 with U+FFFD for each bad byte") {
  ServerFixture fixture({}, [&](server::Router& router) {
    router.on("GET", "/users", [&](const server::Request& request, server::Responder responder) {
      const std::string* name = request.header("X-User");
      server::sendJsonError(responder, 404, "no user " + (name != nullptr ? *name : ""));
    });
  });
  RawClient& client = fixture.connect();
  // Latin-1 bytes in a field value: obs-text, which RFC 9110 section 5.5 lets a recipient take.
  client.send(get("/users", "X-User: caf\xe9-\xff\r\n"));
  REQUIRE(fixture.runUntil([&] { return !answerJson(client.received()).is_discarded(); }));

  const std::string& received = client.received();
  INFO(received);
  CHECK(received.starts_with("HTTP/1.1 404 Not Found\r\n"));
  CHECK(answerJson(received)["error"] == "no user caf\xef\xbf\xbd-\xef\xbf\xbd");
  CHECK(fixture.worker().responses().byClass[3] == 1);
}
