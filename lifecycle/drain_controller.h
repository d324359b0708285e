// Graceful drain, as pure decisions: when to fail readiness, stop accepting, close idle
// connections, stop keeping connections alive, reset what remains and exit. The server owns the
// timers and sockets and does what advance() returns.
#pragma once

#include <cstddef>
#include <cstdint>

#include "lifecycle/timeout_policy.h"

namespace closewise::lifecycle {

// The stages, in order; a controller only ever moves forward through them.
//
//   Serving   normal work. Readiness passes.
//   Delaying  a drain began. Readiness fails at once, but listeners stay open and connections
//             are kept alive for `delay`, because a load balancer takes a while to notice the
//             failed readiness and keeps sending new connections meanwhile (Kubernetes removes
//             an endpoint asynchronously). Refusing them would turn them into errors.
//   Draining  the delay is over: listeners close, idle connections close, and every answer
//             says the connection will close (nginx does the same on a graceful shutdown).
//             When the last connection is gone, exit.
//   Finished  exit was returned. If connections outlived the deadline they were reset first.
class DrainController {
 public:
  enum class Stage : std::uint8_t { Serving, Delaying, Draining, Finished };

  // Negative durations are treated as zero: a deadline before the signal means "at once".
  DrainController(Duration delay, Duration timeout) noexcept;

  Stage stage() const noexcept { return stage_; }
  // True only while Serving: readiness fails the moment a drain begins.
  bool readinessOk() const noexcept { return stage_ == Stage::Serving; }
  // False from Draining on: every answer then says the connection will close.
  bool keepAliveAllowed() const noexcept {
    return stage_ == Stage::Serving || stage_ == Stage::Delaying;
  }
  // True during Serving and Delaying.
  bool listenersOpen() const noexcept {
    return stage_ == Stage::Serving || stage_ == Stage::Delaying;
  }

  // A signal to stop (SIGTERM, or the admin drain route). Begun the first time; AlreadyDraining
  // on any later call, which changes nothing: the drain keeps its times (a stop at once is the
  // caller's own decision, on a signal that asks for it). With a delay of 0 the controller goes
  // straight to Draining.
  enum class BeginResult : std::uint8_t { Begun, AlreadyDraining };
  BeginResult begin(TimePoint now) noexcept;

  // All three are TimePoint::max() until begin(). The deadline is counted from the signal, not
  // from the end of the delay, because the orchestrator's grace period (Kubernetes'
  // terminationGracePeriodSeconds) is too; the delay is cut short if it would outlast it.
  TimePoint startedAt() const noexcept { return startedAt_; }
  TimePoint delayEndsAt() const noexcept { return delayEndsAt_; }
  TimePoint deadline() const noexcept { return deadline_; }

  // When advance() next has something to do even if the open count does not change:
  // TimePoint::max() when nothing is pending (Serving, Finished).
  TimePoint nextWakeup() const noexcept;

  // What the caller must do now, in field order. Each action is returned exactly once.
  struct Actions {
    bool closeListeners = false;  // the delay ended
    bool closeIdle = false;       // the delay ended
    bool resetRemaining = false;  // the deadline passed with connections still open
    bool exit = false;            // no connection is left (from Draining), or after the reset
  };
  // Call on the drain timers and whenever the open count changes during a drain.
  // `openConnections` is every connection not yet Closed, across the caller's scope.
  Actions advance(TimePoint now, std::size_t openConnections) noexcept;

 private:
  Duration delay_;
  Duration timeout_;
  Stage stage_ = Stage::Serving;
  bool delayActionsDone_ = false;
  TimePoint startedAt_ = TimePoint::max();
  TimePoint delayEndsAt_ = TimePoint::max();
  TimePoint deadline_ = TimePoint::max();
};

}  // namespace closewise::lifecycle
