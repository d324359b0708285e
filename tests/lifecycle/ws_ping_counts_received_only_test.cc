// A WebSocket's ping is due after the ping interval with nothing received (RFC 6455 section
// 5.5.2), and the pong timeout after it counts the same way: output the peer's TCP takes, however
// much, moves neither. While output waits on the peer the write deadline guards it beside the
// heartbeat, and whichever comes first is the deadline. Once a close began no ping is due.
#include <catch2/catch.hpp>

#include "lifecycle/connection_state.h"

using namespace closewise::lifecycle;
using namespace std::chrono_literals;

namespace {

constexpr TimePoint kT0{1'000};

TimeoutPolicy policy() {
  TimeoutPolicy p;
  p.wsPingInterval = 300ms;
  p.wsPongTimeout = 100ms;
  p.write = 200ms;
  return p;
}

void upgrade(ConnectionState& c) {
  REQUIRE(c.headComplete(kT0, false));
  REQUIRE(c.responseStarted(kT0));
  REQUIRE(c.upgraded(kT0));
}

void finish(ConnectionState& c) {
  c.beginClose(CloseReason::ServerClose, CloseMode::Immediate, kT0);
  c.closed();
}

}  // namespace

TEST_CASE("a peer that only reads is pinged on time and its pong is overdue on time",
          "[websocket][heartbeat]") {
  Tally tally;
  const TimeoutPolicy p = policy();
  ConnectionState c(tally, p, kT0);
  upgrade(c);
  // We stream: output queues and drains again and again, the peer taking every byte.
  for (TimePoint t = kT0 + 20ms; t < kT0 + 300ms; t += 20ms) {
    REQUIRE(c.writeProgress(t, true));
    REQUIRE(c.writeProgress(t + 10ms, false));
  }
  CHECK(c.deadlineReason() == CloseReason::WsPingTimeout);
  CHECK(c.deadline() == kT0 + 300ms);
  CHECK(c.expired(kT0 + 300ms));
  REQUIRE(c.wsPingSent(kT0 + 300ms));
  // Still streaming, still nothing received: the pong is overdue at ping + pong timeout.
  REQUIRE(c.writeProgress(kT0 + 320ms, true));
  CHECK(c.deadlineReason() == CloseReason::WsPingTimeout);
  CHECK(c.deadline() == kT0 + 400ms);
  REQUIRE(c.writeProgress(kT0 + 330ms, false));
  REQUIRE(c.writeProgress(kT0 + 390ms, true));
  CHECK(c.deadline() == kT0 + 400ms);
  CHECK(c.pingOutstanding());
  finish(c);
}

TEST_CASE("queued output is guarded by the earlier of its write deadline and the heartbeat",
          "[websocket][heartbeat]") {
  Tally tally;
  const TimeoutPolicy p = policy();
  ConnectionState c(tally, p, kT0);
  upgrade(c);
  // Early on, the write deadline (now + 200 ms) comes before the ping (kT0 + 300 ms).
  REQUIRE(c.writeProgress(kT0 + 50ms, true));
  CHECK(c.deadlineReason() == CloseReason::WriteTimeout);
  CHECK(c.deadline() == kT0 + 250ms);
  // Progress moves the write deadline past the ping: the ping is next.
  REQUIRE(c.writeProgress(kT0 + 150ms, true));
  CHECK(c.deadlineReason() == CloseReason::WsPingTimeout);
  CHECK(c.deadline() == kT0 + 300ms);
  // Input puts the ping back; the write deadline is next again.
  REQUIRE(c.wsReceived(kT0 + 160ms));
  CHECK(c.deadlineReason() == CloseReason::WriteTimeout);
  CHECK(c.deadline() == kT0 + 350ms);
  finish(c);
}

TEST_CASE("a close that began stops the heartbeat", "[websocket][heartbeat]") {
  Tally tally;
  const TimeoutPolicy p = policy();
  ConnectionState c(tally, p, kT0);
  upgrade(c);
  REQUIRE(c.wsPingSent(kT0 + 300ms));
  REQUIRE(c.writeProgress(kT0 + 310ms, true));
  REQUIRE(c.beginClose(CloseReason::WsPingTimeout, CloseMode::Graceful, kT0 + 400ms));
  CHECK_FALSE(c.pingOutstanding());
  // Only the queued output is timed now; then our FIN's linger deadline takes over.
  CHECK(c.deadlineReason() == CloseReason::WriteTimeout);
  CHECK(c.deadline() == kT0 + 510ms);
  CHECK_FALSE(c.wsPingSent(kT0 + 420ms));
  REQUIRE(c.wsReceived(kT0 + 430ms));
  CHECK(c.deadline() == kT0 + 510ms);
  REQUIRE(c.writeProgress(kT0 + 450ms, false));
  CHECK(c.deadline() == TimePoint::max());
  REQUIRE(c.finSent(kT0 + 460ms));
  CHECK(c.deadlineReason() == CloseReason::LingerTimeout);
  c.closed();
}
