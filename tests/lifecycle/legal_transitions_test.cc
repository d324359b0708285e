// Every transition in the table in connection_state.h is made by its verb, moves the per-phase
// count with it, and no verb from any phase makes a transition the table does not list.
#include <catch2/catch.hpp>
#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "lifecycle/connection_state.h"

using namespace closewise::lifecycle;
using namespace std::chrono_literals;

namespace {

constexpr TimePoint kT0{1'000};

// The states a verb can meet: phases, split where the phase alone does not decide legality.
enum class Where {
  ReadingHead,
  ReadingBody,
  Processing,
  Writing,
  Idle,
  HalfClosedProcessing,
  HalfClosedWriting,
  Closing,
  WebSocket,
  WsClosing,
  Closed,
};

void driveTo(ConnectionState& c, Where where) {
  switch (where) {
    case Where::ReadingHead:
      break;
    case Where::ReadingBody:
      REQUIRE(c.headComplete(kT0, true));
      break;
    case Where::Processing:
      REQUIRE(c.headComplete(kT0, false));
      break;
    case Where::Writing:
      REQUIRE(c.headComplete(kT0, false));
      REQUIRE(c.responseStarted(kT0));
      break;
    case Where::Idle:
      REQUIRE(c.headComplete(kT0, false));
      REQUIRE(c.responseStarted(kT0));
      REQUIRE(c.responseComplete(kT0, false));
      break;
    case Where::HalfClosedProcessing:
      REQUIRE(c.headComplete(kT0, false));
      REQUIRE(c.peerFin(kT0));
      break;
    case Where::HalfClosedWriting:
      REQUIRE(c.headComplete(kT0, false));
      REQUIRE(c.responseStarted(kT0));
      REQUIRE(c.peerFin(kT0));
      break;
    case Where::Closing:
      REQUIRE(c.beginClose(CloseReason::ServerClose, CloseMode::Graceful, kT0));
      REQUIRE(c.finSent(kT0));
      break;
    case Where::WebSocket:
      REQUIRE(c.headComplete(kT0, false));
      REQUIRE(c.responseStarted(kT0));
      REQUIRE(c.upgraded(kT0));
      break;
    case Where::WsClosing:
      driveTo(c, Where::WebSocket);
      REQUIRE(c.beginClose(CloseReason::ServerClose, CloseMode::Graceful, kT0));
      REQUIRE(c.wsCloseSent(kT0));
      break;
    case Where::Closed:
      REQUIRE(c.beginClose(CloseReason::ServerClose, CloseMode::Immediate, kT0));
      c.closed();
      break;
  }
}

void finish(ConnectionState& c) {
  c.beginClose(CloseReason::ServerClose, CloseMode::Immediate, kT0);
  c.closed();
}

std::int64_t countIn(const Tally& tally, Phase phase) {
  return tally.snapshot().byPhase[static_cast<std::size_t>(phase)];
}

// Runs `verb` from `where` and checks it lands in `to`, with the counts following.
void checkRow(Where where, Phase from, Phase to,
              const std::function<void(ConnectionState&)>& verb) {
  Tally tally;
  const TimeoutPolicy cPolicy = TimeoutPolicy{};
  ConnectionState c(tally, cPolicy, kT0);
  driveTo(c, where);
  REQUIRE(c.phase() == from);
  REQUIRE(countIn(tally, from) == 1);
  verb(c);
  CHECK(c.phase() == to);
  CHECK(countIn(tally, from) == 0);
  if (to != Phase::Closed) CHECK(countIn(tally, to) == 1);
  CHECK(tally.snapshot().open == (to == Phase::Closed ? 0 : 1));
  finish(c);
}

const TimePoint kLater = kT0 + 5ms;

}  // namespace

TEST_CASE("each legal transition is made by its verb", "[transitions]") {
  auto gracefulFin = [](ConnectionState& c) {
    REQUIRE(c.beginClose(CloseReason::ServerClose, CloseMode::Graceful, kLater));
    REQUIRE(c.finSent(kLater));
  };
  auto close = [](ConnectionState& c) {
    c.beginClose(CloseReason::ServerClose, CloseMode::Immediate, kLater);
    c.closed();
  };

  SECTION("Reading -> Processing, head without body") {
    checkRow(Where::ReadingHead, Phase::Reading, Phase::Processing,
             [](ConnectionState& c) { REQUIRE(c.headComplete(kLater, false)); });
  }
  SECTION("Reading -> Processing, after a body") {
    checkRow(Where::ReadingBody, Phase::Reading, Phase::Processing,
             [](ConnectionState& c) { REQUIRE(c.requestComplete(kLater)); });
  }
  SECTION("Reading -> Writing") {
    checkRow(Where::ReadingHead, Phase::Reading, Phase::Writing,
             [](ConnectionState& c) { REQUIRE(c.responseStarted(kLater)); });
  }
  SECTION("Reading -> Closing") {
    checkRow(Where::ReadingHead, Phase::Reading, Phase::Closing, gracefulFin);
  }
  SECTION("Reading -> Closed") {
    checkRow(Where::ReadingHead, Phase::Reading, Phase::Closed, close);
  }
  SECTION("Processing -> Writing") {
    checkRow(Where::Processing, Phase::Processing, Phase::Writing,
             [](ConnectionState& c) { REQUIRE(c.responseStarted(kLater)); });
  }
  SECTION("Processing -> HalfClosed") {
    checkRow(Where::Processing, Phase::Processing, Phase::HalfClosed,
             [](ConnectionState& c) { REQUIRE(c.peerFin(kLater)); });
  }
  SECTION("Processing -> Closed") {
    checkRow(Where::Processing, Phase::Processing, Phase::Closed, close);
  }
  SECTION("Writing -> Reading, pipelined input pending") {
    checkRow(Where::Writing, Phase::Writing, Phase::Reading,
             [](ConnectionState& c) { REQUIRE(c.responseComplete(kLater, true)); });
  }
  SECTION("Writing -> Idle") {
    checkRow(Where::Writing, Phase::Writing, Phase::Idle,
             [](ConnectionState& c) { REQUIRE(c.responseComplete(kLater, false)); });
  }
  SECTION("Writing -> HalfClosed") {
    checkRow(Where::Writing, Phase::Writing, Phase::HalfClosed,
             [](ConnectionState& c) { REQUIRE(c.peerFin(kLater)); });
  }
  SECTION("Writing -> Closing") {
    checkRow(Where::Writing, Phase::Writing, Phase::Closing, gracefulFin);
  }
  SECTION("Writing -> Closed") {
    checkRow(Where::Writing, Phase::Writing, Phase::Closed, close);
  }
  SECTION("Idle -> Reading") {
    checkRow(Where::Idle, Phase::Idle, Phase::Reading,
             [](ConnectionState& c) { REQUIRE(c.requestStarted(kLater)); });
  }
  SECTION("Idle -> Closing") {
    checkRow(Where::Idle, Phase::Idle, Phase::Closing, gracefulFin);
  }
  SECTION("Idle -> Closed") {
    checkRow(Where::Idle, Phase::Idle, Phase::Closed, close);
  }
  SECTION("HalfClosed -> Closing, answer written") {
    checkRow(Where::HalfClosedWriting, Phase::HalfClosed, Phase::Closing, gracefulFin);
  }
  SECTION("HalfClosed -> Closing, no answer") {
    checkRow(Where::HalfClosedProcessing, Phase::HalfClosed, Phase::Closing, gracefulFin);
  }
  SECTION("HalfClosed -> Closed") {
    checkRow(Where::HalfClosedWriting, Phase::HalfClosed, Phase::Closed, close);
  }
  SECTION("Closing -> Closed") {
    checkRow(Where::Closing, Phase::Closing, Phase::Closed, close);
  }
  SECTION("Writing -> WebSocket") {
    checkRow(Where::Writing, Phase::Writing, Phase::WebSocket,
             [](ConnectionState& c) { REQUIRE(c.upgraded(kLater)); });
  }
  SECTION("WebSocket -> WsClosing") {
    checkRow(Where::WebSocket, Phase::WebSocket, Phase::WsClosing, [](ConnectionState& c) {
      REQUIRE(c.beginClose(CloseReason::Drain, CloseMode::Graceful, kLater));
      REQUIRE(c.wsCloseSent(kLater));
    });
  }
  SECTION("WebSocket -> Closing") {
    checkRow(Where::WebSocket, Phase::WebSocket, Phase::Closing, gracefulFin);
  }
  SECTION("WebSocket -> Closed") {
    checkRow(Where::WebSocket, Phase::WebSocket, Phase::Closed, close);
  }
  SECTION("WsClosing -> Closing") {
    // The close began with our close frame; the peer's came back and our FIN goes out.
    checkRow(Where::WsClosing, Phase::WsClosing, Phase::Closing,
             [](ConnectionState& c) { REQUIRE(c.finSent(kLater)); });
  }
  SECTION("WsClosing -> Closed") {
    checkRow(Where::WsClosing, Phase::WsClosing, Phase::Closed, close);
  }
}

TEST_CASE("no verb from any phase makes a transition outside the table", "[transitions]") {
  using Verb = std::function<void(ConnectionState&)>;
  const std::vector<Verb> verbs = {
      [](ConnectionState& c) { c.requestStarted(kLater); },
      [](ConnectionState& c) { c.headComplete(kLater, false); },
      [](ConnectionState& c) { c.headComplete(kLater, true); },
      [](ConnectionState& c) { c.bodyProgress(kLater); },
      [](ConnectionState& c) { c.bodyPaused(kLater); },
      [](ConnectionState& c) { c.requestComplete(kLater); },
      [](ConnectionState& c) { c.responseStarted(kLater); },
      [](ConnectionState& c) { c.writeProgress(kLater); },
      [](ConnectionState& c) { c.responseComplete(kLater, false); },
      [](ConnectionState& c) { c.responseComplete(kLater, true); },
      [](ConnectionState& c) { c.peerFin(kLater); },
      [](ConnectionState& c) {
        c.beginClose(CloseReason::ServerClose, CloseMode::Graceful, kLater);
      },
      [](ConnectionState& c) { c.beginClose(CloseReason::ServerClose, CloseMode::Reset, kLater); },
      [](ConnectionState& c) { c.finSent(kLater); },
      [](ConnectionState& c) {
        c.beginClose(CloseReason::ServerClose, CloseMode::Graceful, kLater);
        c.finSent(kLater);
      },
      [](ConnectionState& c) { c.lingerProgress(kLater); },
      [](ConnectionState& c) { c.upgraded(kLater); },
      [](ConnectionState& c) { c.wsReceived(kLater); },
      [](ConnectionState& c) { c.wsPingSent(kLater); },
      [](ConnectionState& c) { c.wsCloseSent(kLater); },
      [](ConnectionState& c) {
        c.beginClose(CloseReason::ServerClose, CloseMode::Graceful, kLater);
        c.wsCloseSent(kLater);
      },
      [](ConnectionState& c) { c.writeProgress(kLater, false); },
      [](ConnectionState& c) {
        c.beginClose(CloseReason::ServerClose, CloseMode::Immediate, kLater);
        c.closed();
      },
  };
  const Where wheres[] = {Where::ReadingHead,       Where::ReadingBody, Where::Processing,
                          Where::Writing,           Where::Idle,        Where::HalfClosedProcessing,
                          Where::HalfClosedWriting, Where::Closing,     Where::WebSocket,
                          Where::WsClosing,         Where::Closed};

  std::set<std::pair<Phase, Phase>> seen;
  for (Where where : wheres) {
    for (const Verb& verb : verbs) {
      Tally tally;
      const TimeoutPolicy cPolicy = TimeoutPolicy{};
      ConnectionState c(tally, cPolicy, kT0);
      driveTo(c, where);
      const Phase from = c.phase();
      verb(c);
      if (c.phase() != from) seen.emplace(from, c.phase());
      // Whatever happened, the books agree with the phase.
      const TallySnapshot s = tally.snapshot();
      CHECK(s.open == (c.phase() == Phase::Closed ? 0 : 1));
      if (c.phase() != Phase::Closed) CHECK(s.byPhase[static_cast<std::size_t>(c.phase())] == 1);
      finish(c);
    }
  }

  const std::set<std::pair<Phase, Phase>> table = {
      {Phase::Reading, Phase::Processing}, {Phase::Reading, Phase::Writing},
      {Phase::Reading, Phase::Closing},    {Phase::Reading, Phase::Closed},
      {Phase::Processing, Phase::Writing}, {Phase::Processing, Phase::HalfClosed},
      {Phase::Processing, Phase::Closed},  {Phase::Writing, Phase::Reading},
      {Phase::Writing, Phase::Idle},       {Phase::Writing, Phase::HalfClosed},
      {Phase::Writing, Phase::Closing},    {Phase::Writing, Phase::Closed},
      {Phase::Idle, Phase::Reading},       {Phase::Idle, Phase::Closing},
      {Phase::Idle, Phase::Closed},        {Phase::HalfClosed, Phase::Closing},
      {Phase::HalfClosed, Phase::Closed},  {Phase::Closing, Phase::Closed},
      {Phase::Writing, Phase::WebSocket},  {Phase::WebSocket, Phase::WsClosing},
      {Phase::WebSocket, Phase::Closing},  {Phase::WebSocket, Phase::Closed},
      {Phase::WsClosing, Phase::Closing},  {Phase::WsClosing, Phase::Closed},
  };
  CHECK(table.size() == 24);
  CHECK(seen == table);
}
