// A streamed answer's head goes out when the handler calls start(), not with the first piece of
// body: a client (or a balancer's first-byte timeout) sees the answer begin while the handler is
// still producing. Each write() then goes out as its own chunk, without waiting for the next.
#include <catch2/catch.hpp>
#include <optional>
#include <string>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

TEST_CASE("start() sends the head at once, and each write() its chunk") {
  std::optional<server::Responder> held;
  ServerFixture fixture({}, [&](server::Router& router) {
    router.on("GET", "/started", [&](const server::Request&, server::Responder r) {
      r.start(200);
      held = std::move(r);
    });
  });
  RawClient& client = fixture.connect();
  client.send(get("/started"));

  const std::string head =
      "HTTP/1.1 200 OK\r\nDate: *\r\nServer: closewise\r\nTransfer-Encoding: chunked\r\n\r\n";
  REQUIRE(fixture.runUntil([&] { return client.received().ends_with("\r\n\r\n"); }));
  fixture.runFor(20ms);
  CHECK(withDateMasked(client.received()) == head);

  REQUIRE(held);
  CHECK(held->write("first"));
  REQUIRE(fixture.runUntil([&] { return client.received().ends_with("first\r\n"); }));
  CHECK(withDateMasked(client.received()) == head + "5\r\nfirst\r\n");

  CHECK(held->end());
  REQUIRE(fixture.runUntil([&] { return client.received().ends_with("0\r\n\r\n"); }));
  CHECK(withDateMasked(client.received()) == head + "5\r\nfirst\r\n0\r\n\r\n");
}
