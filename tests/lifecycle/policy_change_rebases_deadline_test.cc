// When the timeout policy changes (a reload), a connection's deadline is counted again from the
// same start with the new timeout of its kind: shorter or longer, the start is kept. A closing
// connection keeps its linger deadline.
#include <catch2/catch.hpp>

#include "lifecycle/connection_state.h"

using namespace closewise::lifecycle;
using namespace std::chrono_literals;

TEST_CASE("each deadline kind is counted again from its start", "[deadline][reload]") {
  TimeoutPolicy policy;
  policy.header = 100ms;
  policy.body = 200ms;
  policy.handler = 300ms;
  policy.write = 400ms;
  policy.idle = 500ms;
  Tally tally;
  ConnectionState c(tally, policy, TimePoint{1'000});
  // The policy is the worker's, referenced: a reload changes it in place.
  const auto change = [&](auto member, Duration value) {
    const TimeoutPolicy was = policy;
    policy.*member = value;
    c.rebaseDeadline(was);
  };

  change(&TimeoutPolicy::header, 40ms);  // head deadline from accept at 1000
  CHECK(c.deadline() == TimePoint{1'040});
  CHECK(c.deadlineReason() == CloseReason::HeaderTimeout);

  REQUIRE(c.headComplete(TimePoint{1'010}, true));
  REQUIRE(c.bodyProgress(TimePoint{1'020}));
  change(&TimeoutPolicy::body, 1'000ms);  // body deadline from the last read at 1020
  CHECK(c.deadline() == TimePoint{2'020});
  change(&TimeoutPolicy::handler, 5ms);  // not this kind: unchanged
  CHECK(c.deadline() == TimePoint{2'020});

  REQUIRE(c.requestComplete(TimePoint{1'030}));
  CHECK(c.deadline() == TimePoint{1'035});  // new deadlines use the new policy
  change(&TimeoutPolicy::handler, 300ms);
  CHECK(c.deadline() == TimePoint{1'330});

  REQUIRE(c.responseStarted(TimePoint{1'040}));
  change(&TimeoutPolicy::write, 50ms);
  CHECK(c.deadline() == TimePoint{1'090});

  REQUIRE(c.responseComplete(TimePoint{1'050}, false));
  CHECK(c.deadline() == TimePoint{1'550});
  change(&TimeoutPolicy::idle, 20ms);
  CHECK(c.deadline() == TimePoint{1'070});
  CHECK(c.expired(TimePoint{1'070}));
  CHECK(c.deadlineReason() == CloseReason::IdleTimeout);

  REQUIRE(c.beginClose(CloseReason::IdleTimeout, CloseMode::Graceful, TimePoint{1'070}));
  REQUIRE(c.finSent(TimePoint{1'070}));
  const TimePoint linger = c.deadline();
  change(&TimeoutPolicy::linger, 1ms);
  CHECK(c.deadline() == linger);
  c.closed();
}
