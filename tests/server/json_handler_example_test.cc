// The JSON example of docs/handler-api.md, compiled and exercised, so the documentation cannot
// drift from the API. Everything between the BEGIN and END markers is quoted in the doc verbatim.
#include <catch2/catch.hpp>
#include <string>

#include "tests/server/json_exchange.h"
#include "tests/support/fixture.h"

// BEGIN json example
#include <optional>
#include <string>

#include "server/json.h"
#include "server/router.h"

namespace example {

using closewise::server::parseJsonBody;
using closewise::server::Request;
using closewise::server::Responder;
using closewise::server::sendJson;
using closewise::server::sendJsonError;

// POST /greetings {"name": "Ada"} answers {"greeting": "hello, Ada"}.
void greet(const Request& request, Responder responder) {
  // nullopt once the client has been answered: 415 for a body not typed as JSON, 400 (with the
  // byte offset of the fault) for one that is not JSON. Nothing throws.
  const std::optional<nlohmann::json> body = parseJsonBody(request, responder);
  if (!body) return;
  // JSON, but not what this endpoint takes: 422 (RFC 9110 section 15.5.21).
  if (!body->is_object() || !body->contains("name") || !(*body)["name"].is_string()) {
    sendJsonError(responder, 422, "expected an object with a string \"name\"");
    return;
  }
  const std::string name = (*body)["name"];
  // A name that is not UTF-8 is answered with U+FFFD in its place; sendJson does not throw.
  sendJson(responder, 200, {{"greeting", "hello, " + name}});
}

}  // namespace example
// END json example

using namespace closewise;
using namespace closewise::testing;

namespace {

void routes(server::Router& router) {
  router.on("POST", "/greetings", &example::greet);
}

}  // namespace

TEST_CASE("json example: a name is greeted in JSON") {
  ServerFixture fixture({}, routes);
  RawClient& client = fixture.connect();
  client.send(post("/greetings", R"({"name": "Ada"})"));
  REQUIRE(fixture.runUntil([&] { return !answerJson(client.received()).is_discarded(); }));
  CHECK(client.received().starts_with("HTTP/1.1 200 OK\r\n"));
  CHECK(answerJson(client.received()) == nlohmann::json{{"greeting", "hello, Ada"}});
}

TEST_CASE("json example: JSON of the wrong shape is answered 422") {
  ServerFixture fixture({}, routes);
  RawClient& client = fixture.connect();
  client.send(post("/greetings", R"({"name": 7})"));
  REQUIRE(fixture.runUntil([&] { return !answerJson(client.received()).is_discarded(); }));
  CHECK(client.received().starts_with("HTTP/1.1 422 Unprocessable Content\r\n"));
  CHECK(answerJson(client.received())["error"] == "expected an object with a string \"name\"");
}

TEST_CASE("json example: a body that is not JSON is answered 400 with its offset") {
  ServerFixture fixture({}, routes);
  RawClient& client = fixture.connect();
  client.send(post("/greetings", R"({"name": 'Ada'})"));
  REQUIRE(fixture.runUntil([&] { return !answerJson(client.received()).is_discarded(); }));
  CHECK(client.received().starts_with("HTTP/1.1 400 Bad Request\r\n"));
  CHECK(answerJson(client.received())["offset"] == 10);
}
