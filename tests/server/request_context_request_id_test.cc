// Responder::requestId(): the client's X-Request-Id when it is sane (1 to 200 visible ASCII
// characters), so that a request keeps one id across the services it passes through; otherwise
// one made for the exchange, the same for every call during it and different for every exchange.
// It is not echoed in the answer unless the handler does so.
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

TEST_CASE("requestId is the client's X-Request-Id if sane, else one made per exchange",
          "[request_context]") {
  std::vector<std::string> ids;
  ServerFixture fixture({}, [&](server::Router& router) {
    router.on("GET", "/id", [&](const server::Request&, server::Responder responder) {
      const std::string id = responder.requestId();
      // Asked twice, the same: a made id is made once per exchange.
      ids.push_back(id == responder.requestId() ? id : "unstable");
      responder.send(200, "ok\n");
    });
  });
  RawClient& client = fixture.connect();
  const std::string longest(200, 'x');
  client.send(get("/id", "X-Request-Id: abc-123_DEF.7\r\n") +
              get("/id", "X-Request-Id: " + longest + "\r\n") + get("/id") + get("/id") +
              get("/id", "X-Request-Id: " + longest + "y\r\n") +  // 201 characters
              get("/id", "X-Request-Id: two words\r\n") +         // a space
              get("/id", "X-Request-Id: caf\xc3\xa9\r\n"));       // not ASCII
  REQUIRE(fixture.runUntil([&] { return client.responseCount() == 7; }));
  REQUIRE(ids.size() == 7);
  CHECK(ids[0] == "abc-123_DEF.7");
  CHECK(ids[1] == longest);
  // Made: not empty, not the client's, and each exchange its own.
  const std::set<std::string> made(ids.begin() + 2, ids.end());
  CHECK(made.size() == 5);
  for (std::size_t i = 2; i < ids.size(); ++i) {
    CHECK_FALSE(ids[i].empty());
    CHECK(ids[i] != "unstable");
    CHECK(ids[i].find("two") == std::string::npos);
    CHECK(ids[i].size() < 40);
  }
  // The handler did not echo it, so neither did the server.
  CHECK(client.received().find("X-Request-Id") == std::string::npos);
}
