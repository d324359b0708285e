// A peer that resets the connection (RST) before the answer cancels the exchange: the Responder
// is detached, its onCancel callback runs once, the server frees the connection at once (it does
// not wait for the handler), and a send from the handler afterwards returns false and writes
// nothing. The handler's state is the handler's to free; the server never touches it again.
#include <catch2/catch.hpp>
#include <optional>
#include <string>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

TEST_CASE("a reset before the answer runs onCancel, frees the connection, and a late send fails") {
  std::optional<server::Responder> held;  // outlives the fixture: destroyed last
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
  CHECK(fixture.tally().open == 1);
  CHECK_FALSE(held->cancelled());

  client.reset();
  REQUIRE(fixture.runUntil([&] { return fixture.tally().open == 0; }));
  CHECK(cancels == 1);
  CHECK(held->cancelled());
  CHECK(fixture.closedBy(lifecycle::CloseReason::PeerReset) == 1);

  // The handler answers late: every method is a no-op that says so.
  CHECK_FALSE(held->send(200, "too late\n"));
  CHECK_FALSE(held->start(200));
  CHECK_FALSE(held->write("x"));
  CHECK_FALSE(held->end());
  CHECK_FALSE(held->wantsMore());
  held.reset();  // dropping a detached Responder does nothing either
  CHECK(cancels == 1);
  // No answer of any class was counted: the late send wrote nothing.
  const auto responses = fixture.worker().responses();
  CHECK(responses.byClass == std::array<std::int64_t, 5>{});
}
