// The outbound books follow every transition: connections per phase (connecting, active, idle),
// connects, requests, reuses and closes by reason, right by construction.
#include <catch2/catch.hpp>
#include <memory>
#include <vector>

#include "lifecycle/outbound_state.h"

using namespace closewise::lifecycle;

TEST_CASE("outbound counts follow a population of connections", "[outbound][tally]") {
  OutboundTally tally;
  const OutboundPolicy policy;
  const TimePoint t{0};
  std::vector<std::unique_ptr<OutboundState>> conns;
  for (int i = 0; i < 5; ++i) conns.push_back(std::make_unique<OutboundState>(tally, policy, t));
  // 0 connecting; 1 sending; 2 awaiting; 3 receiving; 4 idle after one exchange, then reused.
  conns[1]->connected(t);
  conns[2]->connected(t);
  conns[2]->requestSent(t);
  conns[3]->connected(t);
  conns[3]->headReceived(t);
  conns[4]->connected(t);
  conns[4]->headReceived(t);
  conns[4]->responseComplete(t);

  OutboundTallySnapshot s = tally.snapshot();
  CHECK(s.connects == 5);
  CHECK(s.open == 5);
  CHECK(s.in(Phase::Connecting) == 1);
  CHECK(s.in(Phase::Sending) == 1);
  CHECK(s.in(Phase::AwaitingResponse) == 1);
  CHECK(s.in(Phase::Receiving) == 1);
  CHECK(s.in(Phase::Idle) == 1);
  CHECK(s.active() == 3);
  CHECK(s.requests == 4);
  CHECK(s.reuses == 0);

  conns[4]->requestStarted(t);
  s = tally.snapshot();
  CHECK(s.requests == 5);
  CHECK(s.reuses == 1);
  CHECK(s.in(Phase::Idle) == 0);
  CHECK(s.in(Phase::Sending) == 2);

  for (auto& c : conns) {
    c->beginClose(CloseReason::Drain, CloseMode::Immediate);
    c->closed();
  }
  s = tally.snapshot();
  CHECK(s.open == 0);
  CHECK(s.closed == 5);
  CHECK(s.closedByReason[static_cast<std::size_t>(CloseReason::Drain)] == 5);

  OutboundTallySnapshot sum = s;
  sum += s;
  CHECK(sum.connects == 10);
  CHECK(sum.closed == 10);
}
