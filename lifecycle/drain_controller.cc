#include "lifecycle/drain_controller.h"

#include <algorithm>

namespace closewise::lifecycle {

DrainController::DrainController(Duration delay, Duration timeout) noexcept
    : delay_(std::max(delay, Duration::zero())), timeout_(std::max(timeout, Duration::zero())) {}

DrainController::BeginResult DrainController::begin(TimePoint now) noexcept {
  if (stage_ != Stage::Serving) return BeginResult::AlreadyDraining;
  startedAt_ = now;
  deadline_ = later(now, timeout_);
  delayEndsAt_ = std::min(later(now, delay_), deadline_);
  stage_ = delayEndsAt_ > now ? Stage::Delaying : Stage::Draining;
  return BeginResult::Begun;
}

TimePoint DrainController::nextWakeup() const noexcept {
  switch (stage_) {
    case Stage::Serving:
    case Stage::Finished:
      return TimePoint::max();
    case Stage::Delaying:
      return delayEndsAt_;
    case Stage::Draining:
      // With no delay the stage is already Draining, but its actions are still owed.
      return delayActionsDone_ ? deadline_ : delayEndsAt_;
  }
  return TimePoint::max();
}

DrainController::Actions DrainController::advance(TimePoint now,
                                                  std::size_t openConnections) noexcept {
  Actions actions;
  if (stage_ == Stage::Serving || stage_ == Stage::Finished) return actions;

  if (!delayActionsDone_ && now >= delayEndsAt_) {
    stage_ = Stage::Draining;
    delayActionsDone_ = true;
    actions.closeListeners = true;
    actions.closeIdle = true;
  }
  if (stage_ != Stage::Draining) return actions;

  if (openConnections == 0) {
    actions.exit = true;
    stage_ = Stage::Finished;
  } else if (now >= deadline_) {
    // The grace period is spent. Resetting is better than being killed mid-write: the peers
    // learn at once that the connection is gone, and we choose when the process ends.
    actions.resetRemaining = true;
    actions.exit = true;
    stage_ = Stage::Finished;
  }
  return actions;
}

}  // namespace closewise::lifecycle
