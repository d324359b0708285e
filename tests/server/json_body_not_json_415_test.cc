// parseJsonBody refuses a body that does not say it is JSON with 415 Unsupported Media Type
// (RFC 9110 section 15.5.16), before reading it: a form, plain text or a missing Content-Type.
// The refusal is itself JSON and names the type it expected, and the handler goes no further.
// What counts as JSON is application/json or any +json type (RFC 6839 section 3.1), whatever the
// case and parameters (RFC 9110 section 8.3.1).
#include <catch2/catch.hpp>
#include <string>

#include "server/json.h"
#include "tests/server/json_exchange.h"
#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

TEST_CASE("isJsonMediaType: application/json and +json types, case and parameters aside") {
  CHECK(server::isJsonMediaType("application/json"));
  CHECK(server::isJsonMediaType("Application/JSON"));
  CHECK(server::isJsonMediaType("application/json; charset=utf-8"));
  CHECK(server::isJsonMediaType(" application/json ;charset=UTF-8"));
  CHECK(server::isJsonMediaType("application/problem+json"));
  CHECK(server::isJsonMediaType("application/vnd.example.item+JSON; v=2"));
  CHECK_FALSE(server::isJsonMediaType(""));
  CHECK_FALSE(server::isJsonMediaType("text/plain"));
  CHECK_FALSE(server::isJsonMediaType("application/x-www-form-urlencoded"));
  CHECK_FALSE(server::isJsonMediaType("application/jsonp"));
  CHECK_FALSE(server::isJsonMediaType("json"));
  CHECK_FALSE(server::isJsonMediaType("application/+json"));
  CHECK_FALSE(server::isJsonMediaType("/json"));
  CHECK_FALSE(server::isJsonMediaType("application/json-seq"));
}

TEST_CASE("a body that is not typed as JSON is answered 415 in JSON, and the handler stops") {
  int parsed = 0;
  ServerFixture fixture({}, [&](server::Router& router) {
    router.on("POST", "/items", [&](const server::Request& request, server::Responder responder) {
      const auto document = server::parseJsonBody(request, responder);
      if (!document) return;
      ++parsed;
      server::sendJson(responder, 200, *document);
    });
  });
  const std::string contentType =
      GENERATE(std::string("text/plain"), std::string("application/x-www-form-urlencoded"),
               std::string());  // none at all
  RawClient& client = fixture.connect();
  // A body that is valid JSON: the type alone decides.
  client.send(post("/items", R"({"name": "lamp"})", contentType));
  REQUIRE(fixture.runUntil([&] { return !answerJson(client.received()).is_discarded(); }));

  const std::string& received = client.received();
  INFO(received);
  CHECK(received.starts_with("HTTP/1.1 415 Unsupported Media Type\r\n"));
  CHECK(received.find("\r\nContent-Type: application/json\r\n") != std::string::npos);
  const auto answer = answerJson(received);
  CHECK(answer.value("expected", "") == "application/json");
  const std::string error = answer.value("error", "");
  CHECK(error.find(contentType.empty() ? "untyped" : "'" + contentType + "'") != std::string::npos);
  CHECK(parsed == 0);
  // A refusal of the content, not of the connection: it stays open for the next request.
  REQUIRE(fixture.runUntil([&] { return fixture.inPhase(lifecycle::Phase::Idle) == 1; }));
}
