// Each outbound phase has its own deadline and the reason a close would carry when it passes:
// connect timeout, a send stall, the response timeout (request sent -> response head), a body
// stall re-armed by each read, and the pooled idle timeout.
#include <catch2/catch.hpp>

#include "lifecycle/outbound_state.h"

using namespace closewise::lifecycle;
using namespace std::chrono_literals;

TEST_CASE("every outbound phase arms its own deadline", "[outbound]") {
  OutboundTally tally;
  OutboundPolicy policy;
  policy.connect = 10ms;
  policy.response = 20ms;
  policy.stall = 30ms;
  policy.idle = 40ms;
  OutboundState s(tally, policy, TimePoint{100});
  CHECK(s.deadline() == TimePoint{110});
  CHECK(s.deadlineReason() == CloseReason::ConnectTimeout);
  CHECK_FALSE(s.expired(TimePoint{109}));
  CHECK(s.expired(TimePoint{110}));

  REQUIRE(s.connected(TimePoint{105}));
  CHECK(s.deadline() == TimePoint{135});
  CHECK(s.deadlineReason() == CloseReason::WriteTimeout);
  REQUIRE(s.sendProgress(TimePoint{120}));
  CHECK(s.deadline() == TimePoint{150});

  REQUIRE(s.requestSent(TimePoint{130}));
  CHECK(s.deadline() == TimePoint{150});
  CHECK(s.deadlineReason() == CloseReason::ResponseTimeout);

  REQUIRE(s.headReceived(TimePoint{140}));
  CHECK(s.deadline() == TimePoint{170});
  CHECK(s.deadlineReason() == CloseReason::BodyTimeout);
  REQUIRE(s.bodyProgress(TimePoint{160}));
  CHECK(s.deadline() == TimePoint{190});

  REQUIRE(s.responseComplete(TimePoint{180}));
  CHECK(s.deadline() == TimePoint{220});
  CHECK(s.deadlineReason() == CloseReason::IdleTimeout);

  REQUIRE(s.beginClose(CloseReason::IdleTimeout, CloseMode::Immediate));
  s.closed();
  CHECK(s.deadline() == TimePoint::max());
  CHECK(s.deadlineReason() == CloseReason::None);
}

TEST_CASE("the idle default is shorter than the shortest common upstream keep-alive",
          "[outbound]") {
  // Apache httpd and Node.js close an idle keep-alive connection after 5 s by default; ours must
  // close first so that a reused connection is not one the upstream is closing.
  CHECK(OutboundPolicy{}.idle < 5'000ms);
  CHECK(OutboundPolicy{}.connect > 1'000ms);  // one SYN retransmission fits (RFC 6298 2.1)
}
