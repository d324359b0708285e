// The first close reason recorded is the one reported and counted; later ones change nothing
// except that a more forceful mode escalates the recorded one.
#include <catch2/catch.hpp>

#include "lifecycle/connection_state.h"

using namespace closewise::lifecycle;

namespace {

std::int64_t countOf(const Tally& tally, CloseReason reason) {
  return tally.snapshot().closedByReason[static_cast<std::size_t>(reason)];
}

}  // namespace

TEST_CASE("the first close reason wins and is counted once", "[close_reason]") {
  Tally tally;
  const TimeoutPolicy cPolicy = TimeoutPolicy{};
  ConnectionState c(tally, cPolicy, TimePoint{1'000});
  CHECK_FALSE(c.closeBegun());
  CHECK(c.closeReason() == CloseReason::None);

  CHECK(c.beginClose(CloseReason::ProtocolError, CloseMode::Graceful, TimePoint{1'010}));
  CHECK(c.closeBegun());
  CHECK(c.closeReason() == CloseReason::ProtocolError);
  CHECK(c.closeMode() == CloseMode::Graceful);
  CHECK(c.closeBegunAt() == TimePoint{1'010});

  CHECK_FALSE(c.beginClose(CloseReason::Drain, CloseMode::Graceful, TimePoint{1'020}));
  CHECK(c.closeReason() == CloseReason::ProtocolError);
  CHECK(c.closeBegunAt() == TimePoint{1'010});
  CHECK(tally.snapshot().closed == 1);
  CHECK(countOf(tally, CloseReason::ProtocolError) == 1);
  CHECK(countOf(tally, CloseReason::Drain) == 0);
  c.closed();
  CHECK(tally.snapshot().closed == 1);
}

TEST_CASE("a later, more forceful mode escalates, a gentler one does not", "[close_reason]") {
  Tally tally;
  const TimeoutPolicy cPolicy = TimeoutPolicy{};
  ConnectionState c(tally, cPolicy, TimePoint{1'000});
  REQUIRE(c.beginClose(CloseReason::IdleTimeout, CloseMode::Graceful, TimePoint{1'000}));
  CHECK_FALSE(c.beginClose(CloseReason::IoError, CloseMode::Immediate, TimePoint{1'001}));
  CHECK(c.closeMode() == CloseMode::Immediate);
  CHECK_FALSE(c.beginClose(CloseReason::IoError, CloseMode::Graceful, TimePoint{1'002}));
  CHECK(c.closeMode() == CloseMode::Immediate);
  CHECK_FALSE(c.beginClose(CloseReason::WriteTimeout, CloseMode::Reset, TimePoint{1'003}));
  CHECK(c.closeMode() == CloseMode::Reset);
  CHECK_FALSE(c.beginClose(CloseReason::IoError, CloseMode::Immediate, TimePoint{1'004}));
  CHECK(c.closeMode() == CloseMode::Reset);
  CHECK(c.closeReason() == CloseReason::IdleTimeout);
  c.closed();
}

TEST_CASE("None is not a reason, and nothing begins once Closed", "[close_reason]") {
  Tally tally;
  const TimeoutPolicy cPolicy = TimeoutPolicy{};
  ConnectionState c(tally, cPolicy, TimePoint{1'000});
  CHECK_FALSE(c.beginClose(CloseReason::None, CloseMode::Reset, TimePoint{1'000}));
  CHECK_FALSE(c.closeBegun());
  CHECK(c.closeMode() == CloseMode::Graceful);
  CHECK(tally.snapshot().closed == 0);

  REQUIRE(c.beginClose(CloseReason::PeerReset, CloseMode::Immediate, TimePoint{1'000}));
  c.closed();
  CHECK_FALSE(c.beginClose(CloseReason::ServerClose, CloseMode::Reset, TimePoint{1'001}));
  CHECK(c.closeMode() == CloseMode::Immediate);
  CHECK(c.closeReason() == CloseReason::PeerReset);
}
