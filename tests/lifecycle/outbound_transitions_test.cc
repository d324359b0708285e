// An outbound connection moves only along its table (lifecycle/outbound_state.h): every legal
// verb moves it, every other one is refused and changes nothing.
#include <catch2/catch.hpp>

#include "lifecycle/outbound_state.h"

using namespace closewise::lifecycle;

namespace {

void closeNow(OutboundState& s) {
  s.beginClose(CloseReason::Cancelled, CloseMode::Immediate);
  s.closed();
}

}  // namespace

TEST_CASE("a request's whole exchange, then reuse from the pool", "[outbound]") {
  OutboundTally tally;
  const OutboundPolicy policy;
  OutboundState s(tally, policy, TimePoint{0});
  CHECK(s.phase() == Phase::Connecting);
  CHECK(s.connected(TimePoint{1}));
  CHECK(s.phase() == Phase::Sending);
  CHECK_FALSE(s.reused());
  CHECK(s.requestSent(TimePoint{2}));
  CHECK(s.phase() == Phase::AwaitingResponse);
  CHECK(s.headReceived(TimePoint{3}));
  CHECK(s.phase() == Phase::Receiving);
  CHECK(s.responseComplete(TimePoint{4}));
  CHECK(s.phase() == Phase::Idle);
  CHECK(s.requestStarted(TimePoint{5}));
  CHECK(s.phase() == Phase::Sending);
  CHECK(s.reused());
  CHECK(s.headReceived(TimePoint{6}));  // an answer before the request was all sent
  CHECK(s.phase() == Phase::Receiving);
  closeNow(s);
  CHECK(s.phase() == Phase::Closed);
}

TEST_CASE("verbs outside their phase are refused and change nothing", "[outbound]") {
  OutboundTally tally;
  const OutboundPolicy policy;
  OutboundState s(tally, policy, TimePoint{0});
  const TimePoint deadline = s.deadline();
  CHECK_FALSE(s.requestStarted(TimePoint{1}));  // not pooled yet
  CHECK_FALSE(s.requestSent(TimePoint{1}));
  CHECK_FALSE(s.headReceived(TimePoint{1}));
  CHECK_FALSE(s.bodyProgress(TimePoint{1}));
  CHECK_FALSE(s.responseComplete(TimePoint{1}));
  CHECK_FALSE(s.sendProgress(TimePoint{1}));
  CHECK(s.phase() == Phase::Connecting);
  CHECK(s.deadline() == deadline);

  REQUIRE(s.connected(TimePoint{1}));
  CHECK_FALSE(s.connected(TimePoint{2}));
  CHECK_FALSE(s.responseComplete(TimePoint{2}));  // no response yet
  CHECK_FALSE(s.bodyProgress(TimePoint{2}));
  REQUIRE(s.requestSent(TimePoint{2}));
  CHECK_FALSE(s.requestSent(TimePoint{3}));
  CHECK_FALSE(s.sendProgress(TimePoint{3}));
  CHECK(s.phase() == Phase::AwaitingResponse);
  closeNow(s);
  CHECK_FALSE(s.requestStarted(TimePoint{4}));
  CHECK(s.phase() == Phase::Closed);
}

TEST_CASE("a connection whose close has begun is not pooled nor reused", "[outbound]") {
  OutboundTally tally;
  const OutboundPolicy policy;
  OutboundState s(tally, policy, TimePoint{0});
  REQUIRE(s.connected(TimePoint{0}));
  REQUIRE(s.headReceived(TimePoint{0}));
  REQUIRE(s.beginClose(CloseReason::UpstreamRequested, CloseMode::Immediate));
  CHECK_FALSE(s.responseComplete(TimePoint{1}));
  CHECK(s.phase() == Phase::Receiving);
  s.closed();
  CHECK(s.phase() == Phase::Closed);
}
