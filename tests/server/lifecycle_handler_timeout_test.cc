// A handler that never answers. The client must not wait for ever: at the handler deadline
// closewise answers 503 for it (RFC 9110 section 15.6.4) with Connection: close, cancels the
// handler's Responder (its onCancel runs, its methods turn into no-ops) and closes gracefully,
// reason handler_timeout.
#include <catch2/catch.hpp>
#include <optional>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::CloseReason;
using lifecycle::Phase;

TEST_CASE("a handler that never answers gets a 503 at the handler deadline",
          "[lifecycle][deadline]") {
  // The Responder is held (a dropped one would be answered 500 at once), never used.
  std::optional<server::Responder> held;
  bool cancelled = false;
  ServerFixture fixture([](server::WorkerOptions& o) { o.timeouts.handler = 150ms; },
                        [&](server::Router& router) {
                          router.on("GET", "/never",
                                    [&](const server::Request&, server::Responder responder) {
                                      responder.onCancel([&] { cancelled = true; });
                                      held.emplace(std::move(responder));
                                    });
                        });
  RawClient& client = fixture.connect();
  client.send(get("/never"));
  REQUIRE(fixture.runUntil([&] { return held.has_value(); }));
  const auto dispatchedAt = std::chrono::steady_clock::now();
  CHECK(fixture.inPhase(Phase::Processing) == 1);

  REQUIRE(fixture.runUntil([&] { return client.eof() || client.readError() != 0; }, 3s));
  const auto took = std::chrono::steady_clock::now() - dispatchedAt;
  INFO("503 after " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                    << " ms");
  // Lower bounds are loose on purpose: deadlines run on the loop's cached clock (uv_now), which
  // can lag the moment the test observed, so "not early" is checked with room to spare.
  CHECK(took >= 100ms);
  CHECK(took < 1500ms);

  const std::string& wire = client.received();
  CHECK(wire.rfind("HTTP/1.1 503 Service Unavailable\r\n", 0) == 0);
  CHECK(wire.find("\r\nConnection: close\r\n") != std::string::npos);
  CHECK(client.responseCount() == 1);
  CHECK(client.eof());
  CHECK_FALSE(client.resetByPeer());
  CHECK(fixture.closedBy(CloseReason::HandlerTimeout) == 1);

  // The handler learns its exchange is gone, and a late answer goes nowhere.
  CHECK(cancelled);
  CHECK(held->cancelled());
  CHECK_FALSE(held->send(200, "too late\n"));

  client.shutdownWrite();
  CHECK(fixture.runUntil([&] { return fixture.tally().open == 0; }, 2s));
  CHECK(client.responseCount() == 1);
}
