// A FIN after a complete request only ends the peer's sending (RFC 9293 section 3.6): the
// connection stays, half closed, until the answer is written, then closes with peer_closed.
#include <catch2/catch.hpp>

#include "lifecycle/connection_state.h"

using namespace closewise::lifecycle;
using namespace std::chrono_literals;

namespace {

TimeoutPolicy testPolicy() {
  TimeoutPolicy p;
  p.handler = 300ms;
  p.write = 400ms;
  p.linger = 600ms;
  p.lingerRead = 70ms;
  return p;
}

std::int64_t halfClosedCount(const Tally& tally) {
  return tally.snapshot().byPhase[static_cast<std::size_t>(Phase::HalfClosed)];
}

}  // namespace

TEST_CASE("a FIN while processing keeps the connection to finish the answer", "[half_close]") {
  Tally tally;
  const TimeoutPolicy cPolicy = testPolicy();
  ConnectionState c(tally, cPolicy, TimePoint{1'000});
  REQUIRE(c.headComplete(TimePoint{1'000}, false));

  CHECK(c.peerFin(TimePoint{1'050}));  // true: stay
  CHECK(c.phase() == Phase::HalfClosed);
  CHECK(halfClosedCount(tally) == 1);
  CHECK(c.peerFinSeen());
  CHECK(c.peerFinAt() == TimePoint{1'050});
  CHECK_FALSE(c.closeBegun());
  // The handler is still timed as before: the FIN neither extends nor cuts its deadline.
  CHECK(c.deadline() == TimePoint{1'300});
  CHECK(c.deadlineReason() == CloseReason::HandlerTimeout);
  CHECK_FALSE(c.writeProgress(TimePoint{1'060}));

  // The answer starts: same phase, write deadline.
  REQUIRE(c.responseStarted(TimePoint{1'100}));
  CHECK(c.phase() == Phase::HalfClosed);
  CHECK(c.deadline() == TimePoint{1'500});
  CHECK(c.deadlineReason() == CloseReason::WriteTimeout);
  REQUIRE(c.writeProgress(TimePoint{1'200}));
  CHECK(c.deadline() == TimePoint{1'600});

  // A repeated FIN report changes nothing.
  CHECK(c.peerFin(TimePoint{1'250}));
  CHECK(c.peerFinAt() == TimePoint{1'050});

  // The answer is done; it may not keep the connection.
  const auto verdict = c.keepAliveVerdict(TimePoint{1'300}, false, false);
  CHECK_FALSE(verdict.keepAlive);
  CHECK(verdict.reason == CloseReason::PeerClosed);
  CHECK_FALSE(c.responseComplete(TimePoint{1'300}, false));

  REQUIRE(c.beginClose(verdict.reason, CloseMode::Graceful, TimePoint{1'300}));
  REQUIRE(c.finSent(TimePoint{1'300}));
  CHECK(c.phase() == Phase::Closing);
  CHECK(halfClosedCount(tally) == 0);
  c.closed();
  const TallySnapshot s = tally.snapshot();
  CHECK(s.closedByReason[static_cast<std::size_t>(CloseReason::PeerClosed)] == 1);
  CHECK(s.open == 0);
}

TEST_CASE("a FIN while writing an error answer still lets it finish", "[half_close]") {
  Tally tally;
  const TimeoutPolicy cPolicy = testPolicy();
  ConnectionState c(tally, cPolicy, TimePoint{1'000});
  REQUIRE(c.beginClose(CloseReason::ProtocolError, CloseMode::Graceful, TimePoint{1'010}));
  REQUIRE(c.responseStarted(TimePoint{1'010}));
  CHECK(c.peerFin(TimePoint{1'020}));
  CHECK(c.phase() == Phase::HalfClosed);
  CHECK(c.deadline() == TimePoint{1'410});
  CHECK(c.deadlineReason() == CloseReason::WriteTimeout);
  CHECK(c.closeReason() == CloseReason::ProtocolError);
  CHECK(c.closeMode() == CloseMode::Graceful);
  REQUIRE(c.finSent(TimePoint{1'030}));
  c.closed();
}

TEST_CASE("a write stall in half close is a write timeout, not peer_closed", "[half_close]") {
  Tally tally;
  const TimeoutPolicy cPolicy = testPolicy();
  ConnectionState c(tally, cPolicy, TimePoint{1'000});
  REQUIRE(c.headComplete(TimePoint{1'000}, false));
  REQUIRE(c.responseStarted(TimePoint{1'000}));
  REQUIRE(c.peerFin(TimePoint{1'010}));
  REQUIRE(c.expired(TimePoint{1'400}));
  REQUIRE(c.beginClose(c.deadlineReason(), CloseMode::Reset, TimePoint{1'400}));
  CHECK(c.closeReason() == CloseReason::WriteTimeout);
  c.closed();
}
