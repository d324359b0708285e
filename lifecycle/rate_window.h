// A floor under the average rate of a transfer, judged one window at a time.
//
// A deadline between reads or writes catches a peer that stops; it cannot catch one that moves a
// few bytes just often enough. slowhttptest's -B sends a few bytes of a body every ten seconds,
// its -X reads 32 bytes every few seconds through a tiny window, and either holds a connection
// for as long as it likes while never missing a deadline. Apache's mod_reqtimeout answers with
// MinRate (request bodies) and ASP.NET Core's Kestrel with MinRequestBodyDataRate and
// MinResponseDataRate: over each window, the bytes moved divided by the time must reach a floor.
// RateWindow is that judgement, with the time and the byte counts passed in, so it is tested with
// a fake clock.
//
// A window is open only while the peer is what holds the transfer up: for an answer, while our
// bytes wait on the peer's receive window. Its owner drops it when that stops being true, so that
// a handler producing at its own slow pace is never blamed for the pace.
#pragma once

#include <cstdint>

#include "lifecycle/timeout_policy.h"

namespace closewise::lifecycle {

class RateWindow {
 public:
  enum class Verdict : std::uint8_t {
    Pending,  // no window is open, or the open one has not lasted its length yet
    Enough,   // the window reached the floor; the next one opens now
    TooSlow,  // the window fell below the floor; the window stays as it was
  };

  // Opens a window at `now`, in place of any open one; `transferred` is the transfer's byte count
  // so far, the mark the window's bytes are counted from.
  void open(TimePoint now, std::uint64_t transferred) noexcept {
    openedAt_ = now;
    transferredAtOpen_ = transferred;
  }
  // Closes the window without a verdict: the time it was open does not count against the peer.
  void drop() noexcept { openedAt_ = TimePoint::max(); }
  bool isOpen() const noexcept { return openedAt_ != TimePoint::max(); }
  // A window is open and has lasted `length`: judge() would give a verdict. Lets the caller
  // count the bytes, which may cost it a system call, only when they are needed.
  bool due(TimePoint now, Duration length) const noexcept {
    return isOpen() && now >= openedAt_ && now - openedAt_ >= length;
  }

  // Once `length` has passed since the window opened: whether the bytes since then, averaged over
  // all the time since then, reach `floor` bytes per second. Pending before that, and while no
  // window is open. A floor of 0 passes every window. Never overflows, whatever the inputs: the
  // bytes a window needs saturate.
  Verdict judge(TimePoint now, std::uint64_t transferred, std::uint64_t floor,
                Duration length) noexcept;

 private:
  TimePoint openedAt_ = TimePoint::max();  // max(): no window is open
  std::uint64_t transferredAtOpen_ = 0;
};

}  // namespace closewise::lifecycle
