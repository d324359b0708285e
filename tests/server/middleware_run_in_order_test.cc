// Middleware run in the order they were registered, the first outermost, around every exchange
// that reaches the router: the handler's, and the router's own 404 and 405 as well, so that an
// access log registered as middleware sees every request the router answers.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "server/middleware.h"
#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

namespace {

// A middleware that notes its name on the way in and on the way out (after the rest of the chain
// returned), so the order of the calls shows how they nest.
server::Middleware noting(std::vector<std::string>& trace, std::string name) {
  return [&trace, name](const server::Request& request, server::Responder responder,
                        server::Next next) {
    trace.push_back(name + ">" + request.path);
    next(request, std::move(responder));
    trace.push_back("<" + name);
  };
}

}  // namespace

TEST_CASE("middleware run in registration order around the handler and the router's answers",
          "[middleware]") {
  std::vector<std::string> trace;
  ServerFixture fixture({}, [&](server::Router& router) {
    router.use(noting(trace, "outer")).use(noting(trace, "inner"));
    router.on("GET", "/hello", [&](const server::Request&, server::Responder responder) {
      trace.push_back("handler");
      responder.send(200, "hi\n");
    });
  });
  RawClient& client = fixture.connect();
  client.send(get("/hello") + get("/nowhere") + "POST /hello HTTP/1.1\r\nHost: t\r\n\r\n");
  REQUIRE(fixture.runUntil([&] { return client.responseCount() == 3; }));

  const std::vector<std::string> expected = {
      "outer>/hello",   "inner>/hello",   "handler", "<inner", "<outer",  // the route
      "outer>/nowhere", "inner>/nowhere", "<inner",  "<outer",            // 404
      "outer>/hello",   "inner>/hello",   "<inner",  "<outer",            // 405
  };
  CHECK(trace == expected);
  // The router's answers are the ones it gives without middleware.
  CHECK(client.received().find("HTTP/1.1 404 Not Found\r\n") != std::string::npos);
  CHECK(client.received().find("HTTP/1.1 405 Method Not Allowed\r\n") != std::string::npos);
  CHECK(client.received().find("\r\nAllow: GET, HEAD\r\n") != std::string::npos);
}
