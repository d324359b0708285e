// The books are right after any sequence of verbs: per-phase counts follow every transition,
// open is the sum of them, totals count what happened once, and snapshots from workers sum.
#include <catch2/catch.hpp>
#include <memory>
#include <numeric>
#include <vector>

#include "lifecycle/connection_state.h"

using namespace closewise::lifecycle;
using namespace std::chrono_literals;

namespace {

std::int64_t in(const TallySnapshot& s, Phase phase) {
  return s.byPhase[static_cast<std::size_t>(phase)];
}
std::int64_t by(const TallySnapshot& s, CloseReason reason) {
  return s.closedByReason[static_cast<std::size_t>(reason)];
}
std::int64_t sumOfPhases(const TallySnapshot& s) {
  return std::accumulate(s.byPhase.begin(), s.byPhase.end(), std::int64_t{0});
}

}  // namespace

TEST_CASE("counts follow a mixed population of connections", "[tally]") {
  Tally tally;
  const TimeoutPolicy policy;
  const TimePoint t{1'000};
  std::vector<std::unique_ptr<ConnectionState>> conns;
  for (int i = 0; i < 6; ++i) conns.push_back(std::make_unique<ConnectionState>(tally, policy, t));

  TallySnapshot s = tally.snapshot();
  CHECK(s.accepted == 6);
  CHECK(in(s, Phase::Reading) == 6);
  CHECK(s.open == 6);

  // 0 stays reading its body; 1 processing; 2 writing; 3 idle after two exchanges;
  // 4 half closed; 5 lingering after an idle timeout.
  REQUIRE(conns[0]->headComplete(t, true));
  REQUIRE(conns[1]->headComplete(t, false));
  REQUIRE(conns[2]->headComplete(t, false));
  REQUIRE(conns[2]->responseStarted(t));
  for (int i = 0; i < 2; ++i) {
    if (i > 0) REQUIRE(conns[3]->requestStarted(t));
    REQUIRE(conns[3]->headComplete(t, false));
    REQUIRE(conns[3]->responseStarted(t));
    REQUIRE(conns[3]->responseComplete(t, false));
  }
  REQUIRE(conns[4]->headComplete(t, false));
  REQUIRE(conns[4]->peerFin(t));
  REQUIRE(conns[5]->headComplete(t, false));
  REQUIRE(conns[5]->responseStarted(t));
  REQUIRE(conns[5]->responseComplete(t, false));
  REQUIRE(conns[5]->beginClose(CloseReason::IdleTimeout, CloseMode::Graceful, t));
  REQUIRE(conns[5]->finSent(t));

  s = tally.snapshot();
  CHECK(in(s, Phase::Reading) == 1);
  CHECK(in(s, Phase::Processing) == 1);
  CHECK(in(s, Phase::Writing) == 1);
  CHECK(in(s, Phase::Idle) == 1);
  CHECK(in(s, Phase::HalfClosed) == 1);
  CHECK(in(s, Phase::Closing) == 1);
  CHECK(s.open == 6);
  CHECK(s.open == sumOfPhases(s));
  CHECK(s.requests == 7);
  // A close is counted when it begins, while the connection still lingers.
  CHECK(s.closed == 1);
  CHECK(by(s, CloseReason::IdleTimeout) == 1);

  conns[5]->closed();
  REQUIRE(conns[2]->beginClose(CloseReason::WriteTimeout, CloseMode::Reset, t));
  conns[2]->closed();
  CHECK_FALSE(conns[3]->peerFin(t));
  conns[3]->closed();
  s = tally.snapshot();
  CHECK(s.open == 3);
  CHECK(s.open == sumOfPhases(s));
  CHECK(in(s, Phase::Writing) == 0);
  CHECK(in(s, Phase::Idle) == 0);
  CHECK(in(s, Phase::Closing) == 0);
  CHECK(s.closed == 3);
  CHECK(by(s, CloseReason::WriteTimeout) == 1);
  CHECK(by(s, CloseReason::PeerClosed) == 1);

  // A second closed() does not take a connection off the books twice.
  conns[5]->closed();
  CHECK(tally.snapshot() == s);

  for (auto& c : conns) {
    c->beginClose(CloseReason::Drain, CloseMode::Immediate, t);
    c->closed();
  }
  s = tally.snapshot();
  CHECK(s.open == 0);
  CHECK(sumOfPhases(s) == 0);
  CHECK(s.accepted == 6);
  CHECK(s.closed == 6);
  CHECK(by(s, CloseReason::Drain) == 3);
  CHECK(by(s, CloseReason::None) == 0);
  const auto byReason =
      std::accumulate(s.closedByReason.begin(), s.closedByReason.end(), std::int64_t{0});
  CHECK(byReason == s.closed);
}

TEST_CASE("snapshots from several workers sum field by field", "[tally]") {
  Tally a;
  Tally b;
  const TimePoint t{1'000};
  const TimeoutPolicy policy;
  ConnectionState a1(a, policy, t);
  ConnectionState a2(a, policy, t);
  ConnectionState b1(b, policy, t);
  REQUIRE(a1.headComplete(t, false));
  REQUIRE(b1.headComplete(t, false));
  REQUIRE(b1.responseStarted(t));
  REQUIRE(a2.beginClose(CloseReason::HeaderTimeout, CloseMode::Immediate, t));
  a2.closed();

  TallySnapshot total;
  total += a.snapshot();
  total += b.snapshot();
  CHECK(total.accepted == 3);
  CHECK(total.open == 2);
  CHECK(total.open == sumOfPhases(total));
  CHECK(in(total, Phase::Processing) == 1);
  CHECK(in(total, Phase::Writing) == 1);
  CHECK(total.requests == 2);
  CHECK(total.closed == 1);
  CHECK(by(total, CloseReason::HeaderTimeout) == 1);

  for (ConnectionState* c : {&a1, &b1}) {
    c->beginClose(CloseReason::ServerClose, CloseMode::Immediate, t);
    c->closed();
  }
}
