// A verb called where it is not legal returns false and changes nothing: not the phase, not the
// deadline, not the close record, not the books.
#include <catch2/catch.hpp>
#include <functional>
#include <string>
#include <vector>

#include "lifecycle/connection_state.h"

using namespace closewise::lifecycle;
using namespace std::chrono_literals;

namespace {

constexpr TimePoint kT0{1'000};
constexpr TimePoint kLater{1'005};

enum class Where {
  ReadingHead,
  ReadingBody,
  Processing,
  Writing,
  Idle,
  HalfClosedProcessing,
  HalfClosedWriting,
  Closing,
  Closed,
};

const char* whereName(Where where) {
  switch (where) {
    case Where::ReadingHead:
      return "reading (head)";
    case Where::ReadingBody:
      return "reading (body)";
    case Where::Processing:
      return "processing";
    case Where::Writing:
      return "writing";
    case Where::Idle:
      return "idle";
    case Where::HalfClosedProcessing:
      return "half_closed (processing)";
    case Where::HalfClosedWriting:
      return "half_closed (writing)";
    case Where::Closing:
      return "closing";
    case Where::Closed:
      return "closed";
  }
  return "?";
}

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
    case Where::Closed:
      REQUIRE(c.beginClose(CloseReason::ServerClose, CloseMode::Immediate, kT0));
      c.closed();
      break;
  }
}

// Everything a caller or /stats can observe.
struct Observed {
  Phase phase;
  TimePoint deadline;
  CloseReason deadlineReason;
  CloseReason closeReason;
  CloseMode closeMode;
  TimePoint closeBegunAt;
  std::uint32_t requests;
  bool peerFinSeen;
  TimePoint peerFinAt;
  bool readingBody;
  bool answerStarted;
  TallySnapshot books;
  bool operator==(const Observed&) const = default;
};

Observed observe(const ConnectionState& c, const Tally& tally) {
  return {c.phase(),     c.deadline(),     c.deadlineReason(),  c.closeReason(),
          c.closeMode(), c.closeBegunAt(), c.requestsStarted(), c.peerFinSeen(),
          c.peerFinAt(), c.readingBody(),  c.answerStarted(),   tally.snapshot()};
}

struct Verb {
  std::string name;
  std::function<bool(ConnectionState&)> call;
  std::vector<Where> legalIn;
};

// peerFin and beginClose are left out: peerFin's answer means "stay or close", not "legal or
// not" (half_close_test and peer_fin_closes_idle_test cover it), and beginClose is legal until
// Closed (close_reason_first_wins_test covers its refusals).
const std::vector<Verb>& verbs() {
  static const std::vector<Verb> all = {
      {"requestStarted",
       [](ConnectionState& c) { return c.requestStarted(kLater); },
       {Where::ReadingHead, Where::ReadingBody, Where::Idle}},
      {"headComplete(no body)",
       [](ConnectionState& c) { return c.headComplete(kLater, false); },
       {Where::ReadingHead}},
      {"headComplete(body)",
       [](ConnectionState& c) { return c.headComplete(kLater, true); },
       {Where::ReadingHead}},
      {"bodyProgress",
       [](ConnectionState& c) { return c.bodyProgress(kLater); },
       {Where::ReadingBody}},
      {"bodyPaused", [](ConnectionState& c) { return c.bodyPaused(kLater); }, {Where::ReadingBody}},
      {"requestComplete",
       [](ConnectionState& c) { return c.requestComplete(kLater); },
       {Where::ReadingBody}},
      {"responseStarted",
       [](ConnectionState& c) { return c.responseStarted(kLater); },
       {Where::ReadingHead, Where::ReadingBody, Where::Processing, Where::HalfClosedProcessing}},
      {"writeProgress",
       [](ConnectionState& c) { return c.writeProgress(kLater); },
       {Where::Writing, Where::HalfClosedWriting}},
      {"responseComplete(idle)",
       [](ConnectionState& c) { return c.responseComplete(kLater, false); },
       {Where::Writing}},
      {"responseComplete(pipelined)",
       [](ConnectionState& c) { return c.responseComplete(kLater, true); },
       {Where::Writing}},
      // No close has begun in any driven state except Closing and Closed, so finSent is refused
      // everywhere: it needs a graceful close to have begun (checked separately below).
      {"finSent", [](ConnectionState& c) { return c.finSent(kLater); }, {}},
      {"lingerProgress",
       [](ConnectionState& c) { return c.lingerProgress(kLater); },
       {Where::Closing}},
      // closed() returns nothing; "legal" here means it moved the connection to Closed.
      {"closed",
       [](ConnectionState& c) {
         const Phase before = c.phase();
         c.closed();
         return c.phase() != before;
       },
       {Where::ReadingHead, Where::ReadingBody, Where::Processing, Where::Writing, Where::Idle,
        Where::HalfClosedProcessing, Where::HalfClosedWriting, Where::Closing}},
  };
  return all;
}

bool legal(const Verb& verb, Where where) {
  for (Where w : verb.legalIn) {
    if (w == where) return true;
  }
  return false;
}

void finish(ConnectionState& c) {
  c.beginClose(CloseReason::ServerClose, CloseMode::Immediate, kT0);
  c.closed();
}

// Runs `verb` where it is illegal and checks that it was refused without a trace.
void checkRefused(ConnectionState& c, const Tally& tally,
                  const std::function<bool(ConnectionState&)>& verb) {
  const Observed before = observe(c, tally);
  CHECK_FALSE(verb(c));
  CHECK(observe(c, tally) == before);
}

}  // namespace

TEST_CASE("every verb is refused in every phase where it is illegal", "[transitions]") {
  const Where wheres[] = {Where::ReadingHead,       Where::ReadingBody, Where::Processing,
                          Where::Writing,           Where::Idle,        Where::HalfClosedProcessing,
                          Where::HalfClosedWriting, Where::Closing,     Where::Closed};
  int refusals = 0;
  for (Where where : wheres) {
    for (const Verb& verb : verbs()) {
      if (legal(verb, where)) continue;
      INFO(verb.name << " in " << whereName(where));
      Tally tally;
      const TimeoutPolicy cPolicy = TimeoutPolicy{};
      ConnectionState c(tally, cPolicy, kT0);
      driveTo(c, where);
      checkRefused(c, tally, verb.call);
      ++refusals;
      finish(c);
    }
  }
  // 9 states x 13 verbs = 117 pairs, of which 25 are legal.
  CHECK(refusals == 92);
}

TEST_CASE("verbs that need more than the right phase are refused without it", "[transitions]") {
  Tally tally;
  const TimeoutPolicy cPolicy = TimeoutPolicy{};
  ConnectionState c(tally, cPolicy, kT0);

  SECTION("finSent with no close begun") {
    driveTo(c, Where::Idle);
    checkRefused(c, tally, [](ConnectionState& s) { return s.finSent(kLater); });
  }
  SECTION("finSent when the close is not graceful") {
    driveTo(c, Where::Idle);
    REQUIRE(c.beginClose(CloseReason::IdleTimeout, CloseMode::Immediate, kT0));
    checkRefused(c, tally, [](ConnectionState& s) { return s.finSent(kLater); });
  }
  SECTION("finSent from Processing: an answer, or an immediate close, comes first") {
    driveTo(c, Where::Processing);
    REQUIRE(c.beginClose(CloseReason::HandlerTimeout, CloseMode::Graceful, kT0));
    checkRefused(c, tally, [](ConnectionState& s) { return s.finSent(kLater); });
  }
  SECTION("finSent twice") {
    driveTo(c, Where::Closing);
    checkRefused(c, tally, [](ConnectionState& s) { return s.finSent(kLater); });
  }
  SECTION("responseComplete when a close is pending") {
    driveTo(c, Where::Writing);
    REQUIRE(c.beginClose(CloseReason::ProtocolError, CloseMode::Graceful, kT0));
    checkRefused(c, tally, [](ConnectionState& s) { return s.responseComplete(kLater, false); });
    checkRefused(c, tally, [](ConnectionState& s) { return s.responseComplete(kLater, true); });
  }
  SECTION("requestStarted in Idle when a close is pending") {
    driveTo(c, Where::Idle);
    REQUIRE(c.beginClose(CloseReason::Drain, CloseMode::Graceful, kT0));
    checkRefused(c, tally, [](ConnectionState& s) { return s.requestStarted(kLater); });
  }
  SECTION("responseStarted twice in HalfClosed") {
    driveTo(c, Where::HalfClosedWriting);
    checkRefused(c, tally, [](ConnectionState& s) { return s.responseStarted(kLater); });
  }
  SECTION("peerFin once Closed") {
    driveTo(c, Where::Closed);
    checkRefused(c, tally, [](ConnectionState& s) { return s.peerFin(kLater); });
  }
  finish(c);
}
