// A client may close its sending side (FIN) right after a complete request and still wait for
// the answer (RFC 9112 section 9.6; RFC 9293 section 3.6 keeps the other direction open). That is
// not a cancellation: the connection goes to half_closed, the handler's answer is delivered whole
// with "Connection: close", onCancel does not run, and then the server closes its side too.
#include <catch2/catch.hpp>
#include <optional>
#include <string>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

TEST_CASE("a FIN right after the request is not a cancel: the full answer arrives, then FIN") {
  std::optional<server::Responder> held;
  int cancels = 0;
  ServerFixture fixture({}, [&](server::Router& router) {
    router.on("GET", "/wait", [&](const server::Request&, server::Responder responder) {
      responder.onCancel([&] { ++cancels; });
      held.emplace(std::move(responder));
    });
  });
  RawClient& client = fixture.connect();
  client.send(get("/wait"));
  REQUIRE(fixture.runUntil([&] { return held.has_value(); }));

  client.shutdownWrite();
  REQUIRE(fixture.runUntil([&] { return fixture.inPhase(lifecycle::Phase::HalfClosed) == 1; }));
  CHECK_FALSE(held->cancelled());
  CHECK(cancels == 0);

  CHECK(held->send(200, "still here\n"));
  REQUIRE(fixture.runUntil([&] { return client.eof(); }));
  CHECK(withDateMasked(client.received()) ==
        "HTTP/1.1 200 OK\r\nDate: *\r\nServer: closewise\r\nContent-Length: 11\r\n"
        "Connection: close\r\n\r\nstill here\n");
  CHECK_FALSE(client.resetByPeer());
  CHECK(cancels == 0);
  REQUIRE(fixture.runUntil([&] { return fixture.tally().open == 0; }));
  CHECK(fixture.closedBy(lifecycle::CloseReason::PeerClosed) == 1);
}

TEST_CASE("a request and its FIN sent back to back still get the full /delay answer") {
  ServerFixture fixture;
  RawClient& client = fixture.connect();
  // The FIN may arrive in the same read as the request, before the handler has even run.
  client.send(get("/delay?ms=30"));
  client.shutdownWrite();

  REQUIRE(fixture.runUntil([&] { return client.eof(); }));
  CHECK(withDateMasked(client.received()) ==
        "HTTP/1.1 200 OK\r\nDate: *\r\nServer: closewise\r\nContent-Length: 8\r\n"
        "Connection: close\r\n\r\ndelayed\n");
  CHECK_FALSE(client.resetByPeer());
  REQUIRE(fixture.runUntil([&] { return fixture.tally().open == 0; }));
  CHECK(fixture.closedBy(lifecycle::CloseReason::PeerClosed) == 1);
}
