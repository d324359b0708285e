// A FIN while the handler is still working is a half-close, not a cancellation (RFC 9112
// section 9.6; RFC 9293 section 3.6): the connection moves to half_closed, the handler keeps its
// Responder, and the answer is delivered. Node.js destroys such requests and Envoy never answers
// them (docs/PEERS in shared notes); closewise finishes the work the client asked for.
#include <catch2/catch.hpp>
#include <optional>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::CloseReason;
using lifecycle::Phase;

TEST_CASE("a FIN while the handler works shows half_closed and the answer still arrives",
          "[lifecycle][fin]") {
  // The handler keeps its Responder until the test lets it answer, so "the handler is still
  // working" is a fact of the test, not a race against a timer.
  std::optional<server::Responder> held;
  bool cancelled = false;
  ServerFixture fixture({}, [&](server::Router& router) {
    router.on("GET", "/hold", [&](const server::Request&, server::Responder responder) {
      responder.onCancel([&] { cancelled = true; });
      held.emplace(std::move(responder));
    });
  });
  RawClient& client = fixture.connect();
  client.send(get("/hold"));
  REQUIRE(fixture.runUntil([&] { return held.has_value(); }));
  CHECK(fixture.inPhase(Phase::Processing) == 1);

  client.shutdownWrite();
  REQUIRE(fixture.runUntil([&] { return fixture.inPhase(Phase::HalfClosed) == 1; }));
  CHECK(fixture.inPhase(Phase::Processing) == 0);
  // Still half closed a while later: the FIN did not start a close or cancel the handler.
  fixture.runFor(50ms);
  CHECK(fixture.inPhase(Phase::HalfClosed) == 1);
  CHECK(fixture.tally().closed == 0);
  CHECK_FALSE(held->cancelled());
  CHECK_FALSE(cancelled);
  CHECK(client.received().empty());
  // Meanwhile the kernel shows our socket in CLOSE_WAIT: legitimately, for as long as we work.
  CHECK(fixture.kernelCount(kernel::TcpState::CloseWait) == 1);

  CHECK(held->send(200, "finished\n"));
  REQUIRE(fixture.runUntil([&] { return client.eof() || client.readError() != 0; }));
  const std::string& wire = client.received();
  CHECK(wire.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(wire.find("\r\nConnection: close\r\n") != std::string::npos);
  CHECK(wire.size() > 9);
  CHECK(wire.substr(wire.size() - 13) == "\r\n\r\nfinished\n");
  CHECK(client.eof());

  REQUIRE(fixture.runUntil([&] { return fixture.tally().open == 0; }));
  CHECK(fixture.closedBy(CloseReason::PeerClosed) == 1);
  CHECK(
      fixture.runUntil([&] { return fixture.kernelCount(kernel::TcpState::CloseWait) == 0; }, 1s));
}
