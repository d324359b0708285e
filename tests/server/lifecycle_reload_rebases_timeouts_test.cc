// A reload that changes a timeout applies it to every connection of the worker at once: the
// deadline of each is counted again from its own start with the new timeout. A shortened idle
// timeout closes connections that went idle before the reload as well as after it; a lengthened
// one keeps open a connection that would have closed under the old one.
//
// The worker keeps one deadline list per kind, ordered by deadline because all its entries share
// one timeout, and its timer stops at the first entry not yet due. A connection filed after a
// shortening, behind older connections with later deadlines, would wait for theirs.
#include <catch2/catch.hpp>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::CloseReason;
using lifecycle::Phase;

namespace {

void reconfigureIdle(ServerFixture& fixture, std::chrono::milliseconds idle) {
  server::WorkerOptions options = fixture.worker().options();
  options.timeouts.idle = idle;
  fixture.worker().reconfigure(std::move(options));
}

}  // namespace

TEST_CASE("a shortened idle timeout closes connections filed before and after the reload",
          "[lifecycle][deadline][reload]") {
  ServerFixture fixture([](server::WorkerOptions& o) { o.timeouts.idle = 10s; });
  RawClient& before = fixture.connect();
  before.send(get("/"));
  REQUIRE(fixture.runUntil([&] { return fixture.inPhase(Phase::Idle) == 1; }));

  reconfigureIdle(fixture, 100ms);
  RawClient& after = fixture.connect();
  after.send(get("/"));
  REQUIRE(fixture.runUntil([&] { return fixture.inPhase(Phase::Idle) == 2; }));
  const auto idleSince = std::chrono::steady_clock::now();

  REQUIRE(fixture.runUntil([&] { return before.eof() && after.eof(); }, 2s));
  const auto took = std::chrono::steady_clock::now() - idleSince;
  INFO("both closed after " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                            << " ms");
  CHECK(took < 1500ms);
  CHECK(fixture.closedBy(CloseReason::IdleTimeout) == 2);
  CHECK(before.responseCount() == 1);
  CHECK(after.responseCount() == 1);
}

TEST_CASE("a lengthened idle timeout keeps a connection filed before the reload",
          "[lifecycle][deadline][reload]") {
  ServerFixture fixture([](server::WorkerOptions& o) { o.timeouts.idle = 100ms; });
  RawClient& client = fixture.connect();
  client.send(get("/"));
  REQUIRE(fixture.runUntil([&] { return fixture.inPhase(Phase::Idle) == 1; }));

  reconfigureIdle(fixture, 10s);
  fixture.runFor(300ms);
  CHECK_FALSE(client.eof());
  CHECK(fixture.inPhase(Phase::Idle) == 1);
  CHECK(fixture.closedBy(CloseReason::IdleTimeout) == 0);
}
