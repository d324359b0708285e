// What the next answer may promise, and the reason when it may not keep the connection.
#include <catch2/catch.hpp>

#include "lifecycle/connection_state.h"

using namespace closewise::lifecycle;
using namespace std::chrono_literals;

namespace {

void exchange(ConnectionState& c, TimePoint now) {
  if (c.phase() == Phase::Idle) REQUIRE(c.requestStarted(now));
  REQUIRE(c.headComplete(now, false));
  REQUIRE(c.responseStarted(now));
}

void finish(ConnectionState& c) {
  c.beginClose(CloseReason::ServerClose, CloseMode::Immediate, TimePoint{0});
  c.closed();
}

}  // namespace

TEST_CASE("a fresh connection with no limits is kept alive", "[keep_alive]") {
  Tally tally;
  const TimeoutPolicy cPolicy = TimeoutPolicy{};
  ConnectionState c(tally, cPolicy, TimePoint{1'000});
  exchange(c, TimePoint{1'000});
  const auto v = c.keepAliveVerdict(TimePoint{1'000'000}, false, false);
  CHECK(v.keepAlive);
  CHECK(v.reason == CloseReason::None);
  finish(c);
}

TEST_CASE("the answer that reaches the request limit says close", "[keep_alive]") {
  TimeoutPolicy p;
  p.maxRequestsPerConnection = 3;
  Tally tally;
  ConnectionState c(tally, p, TimePoint{1'000});
  for (int i = 0; i < 2; ++i) {
    exchange(c, TimePoint{1'000});
    CHECK(c.keepAliveVerdict(TimePoint{1'000}, false, false).keepAlive);
    REQUIRE(c.responseComplete(TimePoint{1'000}, false));
  }
  exchange(c, TimePoint{1'000});
  CHECK(c.requestsStarted() == 3);
  const auto v = c.keepAliveVerdict(TimePoint{1'000}, false, false);
  CHECK_FALSE(v.keepAlive);
  CHECK(v.reason == CloseReason::MaxRequests);
  finish(c);
}

TEST_CASE("a connection at its maximum age is not kept", "[keep_alive]") {
  TimeoutPolicy p;
  p.maxConnectionAge = 500ms;
  Tally tally;
  ConnectionState c(tally, p, TimePoint{1'000});
  exchange(c, TimePoint{1'000});
  CHECK(c.keepAliveVerdict(TimePoint{1'499}, false, false).keepAlive);
  const auto v = c.keepAliveVerdict(TimePoint{1'500}, false, false);
  CHECK_FALSE(v.keepAlive);
  CHECK(v.reason == CloseReason::MaxAge);
  finish(c);
}

TEST_CASE("while draining no connection is kept", "[keep_alive]") {
  Tally tally;
  const TimeoutPolicy cPolicy = TimeoutPolicy{};
  ConnectionState c(tally, cPolicy, TimePoint{1'000});
  exchange(c, TimePoint{1'000});
  const auto v = c.keepAliveVerdict(TimePoint{1'000}, true, false);
  CHECK_FALSE(v.keepAlive);
  CHECK(v.reason == CloseReason::Drain);
  finish(c);
}

TEST_CASE("reasons are given in order: begun, peer FIN, requests, age, drain, client",
          "[keep_alive]") {
  TimeoutPolicy p;
  p.maxRequestsPerConnection = 1;
  p.maxConnectionAge = 10ms;
  Tally tally;
  ConnectionState c(tally, p, TimePoint{1'000});
  exchange(c, TimePoint{1'000});
  const TimePoint late{2'000};
  CHECK(c.keepAliveVerdict(late, true, false).reason == CloseReason::MaxRequests);
  REQUIRE(c.peerFin(late));
  CHECK(c.keepAliveVerdict(late, true, false).reason == CloseReason::PeerClosed);
  REQUIRE(c.beginClose(CloseReason::Overload, CloseMode::Graceful, late));
  const auto v = c.keepAliveVerdict(late, true, false);
  CHECK_FALSE(v.keepAlive);
  CHECK(v.reason == CloseReason::Overload);
  finish(c);
}

TEST_CASE("age outranks drain", "[keep_alive]") {
  TimeoutPolicy p;
  p.maxConnectionAge = 10ms;
  Tally tally;
  ConnectionState c(tally, p, TimePoint{1'000});
  exchange(c, TimePoint{1'000});
  CHECK(c.keepAliveVerdict(TimePoint{1'010}, true, false).reason == CloseReason::MaxAge);
  CHECK(c.keepAliveVerdict(TimePoint{1'009}, true, false).reason == CloseReason::Drain);
  finish(c);
}

TEST_CASE("a peer that asked to close is client_requested, after every reason of our own",
          "[keep_alive]") {
  TimeoutPolicy p;
  p.maxRequestsPerConnection = 2;
  Tally tally;
  ConnectionState c(tally, p, TimePoint{1'000});
  exchange(c, TimePoint{1'000});
  const auto v = c.keepAliveVerdict(TimePoint{1'000}, false, true);
  CHECK_FALSE(v.keepAlive);
  CHECK(v.reason == CloseReason::ClientRequested);
  // The drain would have closed it anyway, so the books say drain.
  CHECK(c.keepAliveVerdict(TimePoint{1'000}, true, true).reason == CloseReason::Drain);
  REQUIRE(c.responseComplete(TimePoint{1'000}, false));
  exchange(c, TimePoint{1'000});
  CHECK(c.keepAliveVerdict(TimePoint{1'000}, false, true).reason == CloseReason::MaxRequests);
  finish(c);
}
