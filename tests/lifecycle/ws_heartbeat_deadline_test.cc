// A WebSocket's one deadline, with a fake clock: a ping is due after the ping interval of
// silence, and once it is sent the peer has the pong timeout; anything received puts the ping
// back a full interval. While output waits on the peer its write deadline guards it too, and the
// earlier of the two is the deadline (ws_ping_counts_received_only_test.cc shows that output
// never puts the ping back). The close handshake has its own deadline.
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
  p.wsCloseTimeout = 50ms;
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

TEST_CASE("the heartbeat: ping due, pong overdue, reset by any input", "[websocket]") {
  Tally tally;
  const TimeoutPolicy p = policy();
  ConnectionState c(tally, p, kT0);
  upgrade(c);
  CHECK(c.phase() == Phase::WebSocket);
  CHECK(c.deadline() == kT0 + 300ms);
  CHECK(c.deadlineReason() == CloseReason::WsPingTimeout);
  CHECK_FALSE(c.pingOutstanding());
  CHECK(tally.snapshot().websocket.upgrades == 1);

  REQUIRE(c.wsPingSent(kT0 + 300ms));
  CHECK(c.pingOutstanding());
  CHECK(c.deadline() == kT0 + 400ms);

  REQUIRE(c.wsReceived(kT0 + 350ms));
  CHECK_FALSE(c.pingOutstanding());
  CHECK(c.deadline() == kT0 + 650ms);
  finish(c);
}

TEST_CASE("queued output puts a websocket under the write deadline", "[websocket]") {
  Tally tally;
  const TimeoutPolicy p = policy();
  ConnectionState c(tally, p, kT0);
  upgrade(c);
  REQUIRE(c.writeProgress(kT0 + 10ms, true));
  CHECK(c.deadlineReason() == CloseReason::WriteTimeout);
  CHECK(c.deadline() == kT0 + 210ms);
  // Input does not move the write deadline: the peer must read, not only talk.
  REQUIRE(c.wsReceived(kT0 + 20ms));
  CHECK(c.deadlineReason() == CloseReason::WriteTimeout);
  CHECK(c.deadline() == kT0 + 210ms);
  // Output gone: the heartbeat is back, counted from what was received.
  REQUIRE(c.writeProgress(kT0 + 50ms, false));
  CHECK(c.deadlineReason() == CloseReason::WsPingTimeout);
  CHECK(c.deadline() == kT0 + 320ms);
  // A write that left nothing queued changes nothing.
  REQUIRE(c.writeProgress(kT0 + 60ms, false));
  CHECK(c.deadline() == kT0 + 320ms);
  finish(c);
}

TEST_CASE("the close handshake has its own deadline and the close keeps its reason",
          "[websocket]") {
  Tally tally;
  const TimeoutPolicy p = policy();
  ConnectionState c(tally, p, kT0);
  upgrade(c);
  CHECK_FALSE(c.wsCloseSent(kT0));  // no close begun: refused
  REQUIRE(c.beginClose(CloseReason::Drain, CloseMode::Graceful, kT0 + 5ms));
  REQUIRE(c.wsCloseSent(kT0 + 5ms));
  CHECK(c.phase() == Phase::WsClosing);
  CHECK(c.deadline() == kT0 + 55ms);
  CHECK(c.deadlineReason() == CloseReason::WsCloseTimeout);
  CHECK_FALSE(c.wsPingSent(kT0 + 10ms));  // no pings while closing
  // A FIN now ends it at once, with the reason it already had.
  CHECK_FALSE(c.peerFin(kT0 + 20ms));
  CHECK(c.closeReason() == CloseReason::Drain);
  CHECK(c.closeMode() == CloseMode::Immediate);
  c.closed();
  CHECK(tally.snapshot().open == 0);
}

TEST_CASE("the books count websocket messages and close codes", "[websocket]") {
  Tally tally;
  const TimeoutPolicy p = policy();
  ConnectionState c(tally, p, kT0);
  c.wsRejected();
  upgrade(c);
  c.wsMessage(true, 5);
  c.wsMessage(false, 7);
  c.wsMessage(false, 1);
  c.wsClosedWith(1001);
  c.wsClosedWith(4321);
  const WsTotals ws = tally.snapshot().websocket;
  CHECK(ws.rejected == 1);
  CHECK(ws.upgrades == 1);
  CHECK(ws.messagesIn == 1);
  CHECK(ws.messagesOut == 2);
  CHECK(ws.bytesIn == 5);
  CHECK(ws.bytesOut == 8);
  CHECK(ws.closedByCode[wsCloseCodeSlot(1001)] == 1);
  CHECK(ws.closedByCode[kWsCloseCodeSlots - 1] == 1);
  CHECK(wsCloseCodeLabel(wsCloseCodeSlot(1001)) == "1001");
  CHECK(wsCloseCodeLabel(wsCloseCodeSlot(4321)) == "3000-4999");
  finish(c);
}
