// parseJsonBody answers a body typed as JSON that is not JSON with 400, in a JSON error that says
// what is wrong and at which byte (counted from 1, nlohmann's parse_error::byte), so the client
// can find its mistake. An empty body and one nested deeper than 128 levels are refused the same
// way: the latter parses, but copying or printing it would recurse once per level and overflow
// the worker's stack. No exception leaves the handler: the connection carries on.
#include <catch2/catch.hpp>
#include <string>

#include "server/json.h"
#include "tests/server/json_exchange.h"
#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

namespace {

struct Case {
  std::string body;
  std::string says;        // a part of the error message
  std::size_t offset = 0;  // 0: the answer names no offset
};

}  // namespace

TEST_CASE("a body that is not JSON is answered 400 naming the fault and its byte offset") {
  int parsed = 0;
  ServerFixture fixture({}, [&](server::Router& router) {
    router.on("POST", "/items", [&](const server::Request& request, server::Responder responder) {
      const auto document = server::parseJsonBody(request, responder);
      if (!document) return;
      ++parsed;
      server::sendJson(responder, 200, *document);
    });
  });
  const Case c = GENERATE(
      // The 7th byte, 'x', starts no JSON value.
      Case{R"({"a": x})", "syntax error", 7},
      // Cut short: the parser stops at the end, after the 9th byte.
      Case{R"({"a": [1,)", "unexpected end of input", 10}, Case{"", "the body is empty", 0},
      // The 129th '[' is one level too deep.
      Case{std::string(129, '[') + std::string(129, ']'), "deeper than 128 levels", 129},
      // Brackets inside a string are text, not nesting.
      Case{"[\"" + std::string(200, '[') + "\"", "unexpected end of input", 204});
  RawClient& client = fixture.connect();
  client.send(post("/items", c.body, "application/json; charset=utf-8"));
  REQUIRE(fixture.runUntil([&] { return !answerJson(client.received()).is_discarded(); }));

  const std::string& received = client.received();
  INFO(received);
  CHECK(received.starts_with("HTTP/1.1 400 Bad Request\r\n"));
  CHECK(received.find("\r\nContent-Type: application/json\r\n") != std::string::npos);
  const auto answer = answerJson(received);
  const std::string error = answer.value("error", "");
  CHECK(error.find(c.says) != std::string::npos);
  CHECK(answer.value("offset", std::size_t{0}) == c.offset);  // 0 when the answer names none
  CHECK(parsed == 0);
  REQUIRE(fixture.runUntil([&] { return fixture.inPhase(lifecycle::Phase::Idle) == 1; }));
  CHECK(fixture.worker().responses().byClass[3] == 1);  // one 4xx, no 500 from an exception
}
