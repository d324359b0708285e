// Answers that cannot have a body never get one (RFC 9110 section 6.4.1; RFC 9112 section 6.3
// rule 1: the head alone is the message): 204 and 304, and any answer to HEAD. A handler that
// streams or sends a body with them anyway has its bytes dropped, not framed and not written,
// so the next answer on the connection is read as the next answer. A 1xx is not a final answer
// at all, so a handler cannot send one.
#include <catch2/catch.hpp>
#include <string>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;
using server::Request;
using server::Responder;

namespace {

void routes(server::Router& router) {
  router.on("GET", "/no-content-stream", [](const Request&, Responder responder) {
    responder.start(204);
    responder.write("not framed, not sent");
    responder.end();
  });
  router.on("GET", "/no-content-sized", [](const Request&, Responder responder) {
    responder.start(204, {}, 5);
    responder.write("hello");
    responder.end();
  });
  router.on("GET", "/not-modified", [](const Request&, Responder responder) {
    responder.send(304, "a body a 304 cannot have", {{"ETag", "\"v1\""}});
  });
  router.on("GET", "/chunked", [](const Request&, Responder responder) {
    responder.start(200);
    responder.write("abc");
    responder.end();
  });
  router.on("GET", "/interim", [](const Request&, Responder responder) {
    const bool started = responder.start(103, {{"Link", "</style.css>; rel=preload"}});
    responder.send(200, started ? "103 sent\n" : "103 refused\n");
  });
}

constexpr std::string_view kNoContent =
    "HTTP/1.1 204 No Content\r\nDate: *\r\nServer: closewise\r\n\r\n";

}  // namespace

TEST_CASE("204, 304 and HEAD answers carry no body, and the next answer is intact") {
  ServerFixture fixture({}, routes);
  RawClient& client = fixture.connect();
  client.send(get("/no-content-stream") + get("/no-content-sized") + get("/not-modified") +
              "HEAD /chunked HTTP/1.1\r\nHost: test\r\n\r\n" + get("/"));

  const std::string expected =
      std::string(kNoContent) + std::string(kNoContent) +
      "HTTP/1.1 304 Not Modified\r\nDate: *\r\nServer: closewise\r\nETag: \"v1\"\r\n\r\n"
      "HTTP/1.1 200 OK\r\nDate: *\r\nServer: closewise\r\nTransfer-Encoding: chunked\r\n\r\n"
      "HTTP/1.1 200 OK\r\nDate: *\r\nServer: closewise\r\nContent-Length: 3\r\n\r\nok\n";
  REQUIRE(fixture.runUntil([&] { return client.responseCount() == 5; }));
  // Anything after the last answer would be a body that leaked out: give it time to arrive.
  fixture.runFor(20ms);
  CHECK(withDateMasked(client.received()) == expected);
  CHECK_FALSE(client.eof());
  CHECK(fixture.tally().requests == 5);
  CHECK(fixture.tally().closed == 0);
  CHECK(fixture.inPhase(lifecycle::Phase::Idle) == 1);
}

TEST_CASE("a handler cannot send a 1xx as its answer") {
  ServerFixture fixture({}, routes);
  RawClient& client = fixture.connect();
  client.send(get("/interim"));
  REQUIRE(fixture.runUntil([&] { return client.responseCount() == 1; }));
  fixture.runFor(20ms);
  CHECK(withDateMasked(client.received()) ==
        "HTTP/1.1 200 OK\r\nDate: *\r\nServer: closewise\r\nContent-Length: 12\r\n\r\n"
        "103 refused\n");
}
