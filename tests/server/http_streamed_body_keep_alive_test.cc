// A streamed body read to its end leaves the connection as a buffered one would: the next
// request, sent after the answer or pipelined right behind the body, is answered on the same
// connection. An answer given before the body ended says Connection: close instead.
#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

namespace {

// POST /upload answers the body's length once it has all of it.
void addLengthRoute(server::Router& router) {
  router.on(
      "POST", "/upload",
      [](const server::Request&, server::Responder responder) {
        struct State {
          server::Responder responder;
          std::uint64_t received = 0;
        };
        auto state = std::make_shared<State>(State{std::move(responder)});
        state->responder.readBody(
            {.onData = [state](std::string_view piece) { state->received += piece.size(); },
             .onEnd =
                 [state] { state->responder.send(200, std::to_string(state->received) + "\n"); },
             .onError = {}});
      },
      {.streamBody = true});
  // Answers at once, without reading the body.
  router.on(
      "POST", "/early",
      [](const server::Request&, server::Responder responder) { responder.send(403, "no\n"); },
      {.streamBody = true});
}

}  // namespace

TEST_CASE("requests after a streamed body, kept alive and pipelined, are answered") {
  ServerFixture fixture({}, [](server::Router& router) { addLengthRoute(router); });
  RawClient& client = fixture.connect();
  client.send(
      "POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n0\r\n\r\n");
  REQUIRE(fixture.runUntil([&] { return client.responseCount() == 1; }));
  CHECK(client.received().ends_with("\r\n\r\n3\n"));

  // Pipelined: a second upload and a GET right behind it, in one send.
  client.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nabcd" + get("/"));
  REQUIRE(fixture.runUntil([&] { return client.responseCount() == 3; }));
  CHECK(client.received().find("\r\n\r\n4\n") != std::string::npos);
  CHECK(client.received().find("Connection: close") == std::string::npos);
  CHECK(fixture.tally().open == 1);
  CHECK(fixture.tally().requests == 3);
}

TEST_CASE("an answer before the streamed body ended closes the connection after it") {
  ServerFixture fixture({}, [](server::Router& router) { addLengthRoute(router); });
  RawClient& client = fixture.connect();
  client.send("POST /early HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\nabc");
  REQUIRE(fixture.runUntil([&] { return client.eof(); }));
  CHECK(client.received().starts_with("HTTP/1.1 403 "));
  CHECK(client.received().find("Connection: close") != std::string::npos);
  CHECK_FALSE(client.resetByPeer());
  CHECK(fixture.closedBy(lifecycle::CloseReason::ServerClose) == 1);
}
