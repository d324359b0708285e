// The first close reason of an outbound connection is the one recorded and counted; later ones
// only escalate the mode.
#include <catch2/catch.hpp>

#include "lifecycle/outbound_state.h"

using namespace closewise::lifecycle;

TEST_CASE("the first outbound close reason wins", "[outbound]") {
  OutboundTally tally;
  const OutboundPolicy policy;
  OutboundState s(tally, policy, TimePoint{0});
  CHECK_FALSE(s.beginClose(CloseReason::None, CloseMode::Immediate));
  CHECK(s.beginClose(CloseReason::ConnectTimeout, CloseMode::Immediate));
  CHECK_FALSE(s.beginClose(CloseReason::Cancelled, CloseMode::Reset));
  CHECK(s.closeReason() == CloseReason::ConnectTimeout);
  CHECK(s.closeMode() == CloseMode::Reset);
  s.closed();
  s.closed();  // a second call changes nothing
  CHECK_FALSE(s.beginClose(CloseReason::Drain, CloseMode::Immediate));

  const OutboundTallySnapshot snap = tally.snapshot();
  CHECK(snap.closed == 1);
  CHECK(snap.closedByReason[static_cast<std::size_t>(CloseReason::ConnectTimeout)] == 1);
  CHECK(snap.closedByReason[static_cast<std::size_t>(CloseReason::Cancelled)] == 0);
  CHECK(snap.open == 0);
}
