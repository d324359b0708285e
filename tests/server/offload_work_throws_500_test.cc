// An exception thrown by offloaded work is caught on its pool thread (nothing else would catch it
// there) and answered on the loop with 500, logged at error; `done` is not called, and the
// connection stays usable.
#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>

#include "server/offload.h"
#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

TEST_CASE("work that throws is answered 500 without done, and the connection is kept") {
  bool doneCalled = false;
  ServerFixture fixture({}, [&](server::Router& router) {
    router.on("GET", "/fails", [&](const server::Request&, server::Responder responder) {
      server::offload(
          std::move(responder), []() -> int { throw std::runtime_error("the database is gone"); },
          [&doneCalled](server::Responder answer, int) {
            doneCalled = true;
            answer.send(200, "done\n");
          });
    });
  });
  RawClient& client = fixture.connect();
  client.send(get("/fails"));
  const std::string expected =
      "HTTP/1.1 500 Internal Server Error\r\nDate: *\r\nServer: closewise\r\n"
      "Content-Length: 15\r\nContent-Type: text/plain\r\n\r\ninternal error\n";
  REQUIRE(fixture.runUntil(
      [&] { return withDateMasked(client.received()).size() >= expected.size(); }));
  CHECK(withDateMasked(client.received()) == expected);
  CHECK_FALSE(doneCalled);

  client.send(get("/"));
  REQUIRE(fixture.runUntil([&] { return client.responseCount() == 2; }));
  CHECK(client.received().ends_with("ok\n"));
}
