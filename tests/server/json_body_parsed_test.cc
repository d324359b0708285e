// A JSON body typed as JSON reaches the handler parsed, whichever JSON type names it, and
// sendJson answers with the document serialized, typed application/json (or the type the handler
// names instead), with a Content-Length and the connection kept.
#include <catch2/catch.hpp>
#include <string>

#include "server/json.h"
#include "tests/server/json_exchange.h"
#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

TEST_CASE("a JSON body is parsed and a JSON answer is sent, framed and typed") {
  ServerFixture fixture({}, [&](server::Router& router) {
    router.on("POST", "/items", [&](const server::Request& request, server::Responder responder) {
      const auto item = server::parseJsonBody(request, responder);
      if (!item) return;
      server::sendJson(responder, 201, {{"id", 1}, {"item", *item}}, {{"Location", "/items/1"}});
    });
  });
  const std::string contentType =
      GENERATE(std::string("application/json"), std::string("Application/JSON; charset=UTF-8"),
               std::string("application/vnd.example.item+json"));
  RawClient& client = fixture.connect();
  client.send(post("/items", R"({"name": "lamp", "tags": ["desk", "led"]})", contentType));
  const std::string expected =
      "HTTP/1.1 201 Created\r\nDate: *\r\nServer: closewise\r\nContent-Length: 54\r\n"
      "Location: /items/1\r\nContent-Type: application/json\r\n\r\n"
      R"({"id":1,"item":{"name":"lamp","tags":["desk","led"]}})"
      "\n";
  REQUIRE(fixture.runUntil(
      [&] { return withDateMasked(client.received()).size() >= expected.size(); }));
  CHECK(withDateMasked(client.received()) == expected);
  REQUIRE(fixture.runUntil([&] { return fixture.inPhase(lifecycle::Phase::Idle) == 1; }));
}

TEST_CASE("sendJson keeps a Content-Type the handler names") {
  ServerFixture fixture({}, [&](server::Router& router) {
    router.on("GET", "/problem", [&](const server::Request&, server::Responder responder) {
      // RFC 9457's problem details are JSON under a type of their own.
      server::sendJson(responder, 404, {{"title", "no such item"}},
                       {{"content-type", "application/problem+json"}});
    });
  });
  RawClient& client = fixture.connect();
  client.send(get("/problem"));
  REQUIRE(fixture.runUntil([&] { return !answerJson(client.received()).is_discarded(); }));
  const std::string& received = client.received();
  INFO(received);
  CHECK(received.find("\r\ncontent-type: application/problem+json\r\n") != std::string::npos);
  CHECK(received.find("application/json") == std::string::npos);
  CHECK(answerJson(received)["title"] == "no such item");
}
