// The point of offload(): while a job blocks a pool thread, the loop goes on serving. A second
// client is answered while the first one's work is still running, and the first is answered
// once its work returns.
#include <catch2/catch.hpp>
#include <string>

#include "server/offload.h"
#include "tests/server/offload_gate.h"
#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

TEST_CASE("while offloaded work blocks, the loop answers another connection") {
  Gate gate;
  ServerFixture fixture({}, [&](server::Router& router) {
    router.on("GET", "/blocking", [&](const server::Request&, server::Responder responder) {
      server::offload(
          std::move(responder),
          [&gate] {
            gate.pass();  // a blocking call, until the test opens the gate
            return std::string("finally\n");
          },
          [](server::Responder answer, std::string text) { answer.send(200, text); });
    });
  });
  RawClient& slow = fixture.connect();
  slow.send(get("/blocking"));
  REQUIRE(fixture.runUntil([&] { return gate.arrived() == 1; }));

  RawClient& other = fixture.connect();
  other.send(get("/"));
  REQUIRE(fixture.runUntil([&] { return other.responseCount() == 1; }));
  CHECK(other.received().starts_with("HTTP/1.1 200 OK\r\n"));
  CHECK(slow.received().empty());  // its work is still blocked
  CHECK(fixture.inPhase(lifecycle::Phase::Processing) == 1);

  gate.open();
  REQUIRE(fixture.runUntil([&] { return slow.received().ends_with("finally\n"); }));
  CHECK(slow.received().starts_with("HTTP/1.1 200 OK\r\n"));
}
