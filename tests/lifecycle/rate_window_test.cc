// A floor under a transfer's rate is judged over whole windows: nothing is decided before a
// window has lasted its length, the average is taken over all the time since it opened, a window
// that reaches the floor is followed by a new one, and a dropped window (the peer was not what
// held the transfer up) counts for nothing.
#include "lifecycle/rate_window.h"

#include <catch2/catch.hpp>
#include <limits>

using namespace closewise::lifecycle;
using namespace std::chrono_literals;
using Verdict = RateWindow::Verdict;

TEST_CASE("a window is judged once it has lasted its length, over all of its time", "[rate]") {
  RateWindow w;
  CHECK(w.judge(TimePoint{0}, 0, 500, 1'000ms) == Verdict::Pending);  // nothing open yet
  w.open(TimePoint{1'000}, 10'000);
  CHECK(w.isOpen());
  // 500 bytes per second over a 1 s window: 499 bytes at 999 ms is no verdict yet.
  CHECK_FALSE(w.due(TimePoint{1'999}, 1'000ms));
  CHECK(w.judge(TimePoint{1'999}, 10'499, 500, 1'000ms) == Verdict::Pending);
  CHECK(w.due(TimePoint{2'000}, 1'000ms));
  // 1.5 s after opening, 749 bytes is below 500 per second of 1.5 s (750 owed).
  CHECK(w.judge(TimePoint{2'500}, 10'749, 500, 1'000ms) == Verdict::TooSlow);
  CHECK(w.judge(TimePoint{2'500}, 10'750, 500, 1'000ms) == Verdict::Enough);
  // Enough opened the next window at 2.5 s, counting from 10,750 bytes.
  CHECK(w.judge(TimePoint{3'400}, 20'000, 500, 1'000ms) == Verdict::Pending);
  CHECK(w.judge(TimePoint{3'500}, 11'249, 500, 1'000ms) == Verdict::TooSlow);
  CHECK(w.judge(TimePoint{3'500}, 11'250, 500, 1'000ms) == Verdict::Enough);
}

TEST_CASE("a dropped window counts for nothing, opening starts afresh", "[rate]") {
  RateWindow w;
  w.open(TimePoint{0}, 0);
  CHECK(w.judge(TimePoint{1'000}, 499, 500, 1'000ms) == Verdict::TooSlow);
  w.open(TimePoint{900}, 100);  // a new window from 900 ms and 100 bytes
  CHECK(w.judge(TimePoint{1'000}, 499, 500, 1'000ms) == Verdict::Pending);
  CHECK(w.judge(TimePoint{1'900}, 599, 500, 1'000ms) == Verdict::TooSlow);
  CHECK(w.judge(TimePoint{1'900}, 600, 500, 1'000ms) == Verdict::Enough);

  // The handler, not the peer, was slow for a while: the window is dropped, and the next one
  // starts when the peer holds things up again, with its own mark.
  w.drop();
  CHECK_FALSE(w.isOpen());
  CHECK_FALSE(w.due(TimePoint{5'000}, 1'000ms));
  CHECK(w.judge(TimePoint{5'000}, 499, 500, 1'000ms) == Verdict::Pending);
  w.open(TimePoint{5'000}, 499);
  CHECK(w.judge(TimePoint{6'000}, 999, 500, 1'000ms) == Verdict::Enough);
}

TEST_CASE("a floor of 0 passes every window, even one that moved nothing", "[rate]") {
  RateWindow w;
  w.open(TimePoint{0}, 7);
  CHECK(w.judge(TimePoint{60'000}, 7, 0, 1'000ms) == Verdict::Enough);
}

TEST_CASE("the bytes a window owes saturate instead of overflowing", "[rate]") {
  constexpr auto kMax = std::numeric_limits<std::uint64_t>::max();
  RateWindow w;
  w.open(TimePoint{0}, 0);
  // 2^40 bytes per second for 2^40 ms would be 2^77 bytes: owed in full, so never enough.
  const TimePoint late{std::int64_t{1} << 40};
  CHECK(w.judge(late, kMax - 1, std::uint64_t{1} << 40, 1'000ms) == Verdict::TooSlow);
  // A count that went backwards (a new transfer's counter) moved nothing rather than wrapping.
  RateWindow v;
  v.open(TimePoint{0}, 1'000);
  CHECK(v.judge(TimePoint{1'000}, 10, 1, 1'000ms) == Verdict::TooSlow);
}
