#include "lifecycle/outbound_state.h"

#include <cassert>

namespace closewise::lifecycle {

namespace {

// The single writer's update; see tally.h for why this is not fetch_add.
void bump(std::atomic<std::int64_t>& counter, std::int64_t delta) noexcept {
  counter.store(counter.load(std::memory_order_relaxed) + delta, std::memory_order_relaxed);
}

std::int64_t read(const std::atomic<std::int64_t>& counter) noexcept {
  return counter.load(std::memory_order_relaxed);
}

}  // namespace

std::size_t outboundPhaseIndex(Phase phase) noexcept {
  switch (phase) {
    case Phase::Connecting:
      return 0;
    case Phase::Sending:
      return 1;
    case Phase::AwaitingResponse:
      return 2;
    case Phase::Receiving:
      return 3;
    case Phase::Idle:
      return 4;
    case Phase::Reading:
    case Phase::Processing:
    case Phase::Writing:
    case Phase::HalfClosed:
    case Phase::Closing:
    case Phase::WebSocket:
    case Phase::WsClosing:
    case Phase::Closed:
      return kOutboundPhaseCount;
  }
  return kOutboundPhaseCount;
}

std::int64_t OutboundTallySnapshot::in(Phase phase) const noexcept {
  const std::size_t i = outboundPhaseIndex(phase);
  return i < byPhase.size() ? byPhase[i] : 0;
}

std::int64_t OutboundTallySnapshot::active() const noexcept {
  return in(Phase::Sending) + in(Phase::AwaitingResponse) + in(Phase::Receiving);
}

OutboundTallySnapshot& OutboundTallySnapshot::operator+=(
    const OutboundTallySnapshot& other) noexcept {
  for (std::size_t i = 0; i < byPhase.size(); ++i) byPhase[i] += other.byPhase[i];
  open += other.open;
  connects += other.connects;
  requests += other.requests;
  reuses += other.reuses;
  closed += other.closed;
  for (std::size_t i = 0; i < closedByReason.size(); ++i)
    closedByReason[i] += other.closedByReason[i];
  return *this;
}

OutboundTallySnapshot OutboundTally::snapshot() const noexcept {
  OutboundTallySnapshot s;
  for (std::size_t i = 0; i < byPhase_.size(); ++i) {
    s.byPhase[i] = read(byPhase_[i]);
    s.open += s.byPhase[i];
  }
  s.connects = read(connects_);
  s.requests = read(requests_);
  s.reuses = read(reuses_);
  s.closed = read(closed_);
  for (std::size_t i = 0; i < closedByReason_.size(); ++i)
    s.closedByReason[i] = read(closedByReason_[i]);
  return s;
}

void OutboundTally::onConnect() noexcept {
  bump(connects_, 1);
  bump(byPhase_[outboundPhaseIndex(Phase::Connecting)], 1);
}

void OutboundTally::onTransition(Phase from, Phase to) noexcept {
  assert(outboundPhaseIndex(from) < kOutboundPhaseCount);
  assert(outboundPhaseIndex(to) < kOutboundPhaseCount);
  bump(byPhase_[outboundPhaseIndex(from)], -1);
  bump(byPhase_[outboundPhaseIndex(to)], 1);
}

void OutboundTally::onRequest(bool reused) noexcept {
  bump(requests_, 1);
  if (reused) bump(reuses_, 1);
}

void OutboundTally::onCloseBegun(CloseReason reason) noexcept {
  bump(closed_, 1);
  bump(closedByReason_[static_cast<std::size_t>(reason)], 1);
}

void OutboundTally::onClosed(Phase from) noexcept {
  assert(outboundPhaseIndex(from) < kOutboundPhaseCount);
  bump(byPhase_[outboundPhaseIndex(from)], -1);
}

OutboundState::OutboundState(OutboundTally& tally, const OutboundPolicy& policy,
                             TimePoint now) noexcept
    : tally_(tally),
      policy_(policy),
      deadline_(later(now, policy.connect)),
      openedAt_(now),
      phaseSince_(now) {
  tally_.onConnect();
}

OutboundState::~OutboundState() {
  assert(phase_ == Phase::Closed && "an outbound connection must be closed before it is destroyed");
  if (phase_ != Phase::Closed) {
    beginClose(CloseReason::ServerClose, CloseMode::Immediate);
    closed();
  }
}

void OutboundState::moveTo(Phase to, TimePoint now) noexcept {
  tally_.onTransition(phase_, to);
  phase_ = to;
  phaseSince_ = now;
}

void OutboundState::arm(TimePoint deadline, CloseReason reason) noexcept {
  deadline_ = deadline;
  deadlineReason_ = reason;
}

bool OutboundState::connected(TimePoint now) noexcept {
  if (phase_ != Phase::Connecting || closeBegun()) return false;
  ++requests_;
  tally_.onRequest(false);
  moveTo(Phase::Sending, now);
  arm(later(now, policy_.stall), CloseReason::WriteTimeout);
  return true;
}

bool OutboundState::requestStarted(TimePoint now) noexcept {
  if (phase_ != Phase::Idle || closeBegun()) return false;
  ++requests_;
  tally_.onRequest(true);
  moveTo(Phase::Sending, now);
  arm(later(now, policy_.stall), CloseReason::WriteTimeout);
  return true;
}

bool OutboundState::sendProgress(TimePoint now) noexcept {
  if (phase_ != Phase::Sending) return false;
  arm(later(now, policy_.stall), CloseReason::WriteTimeout);
  return true;
}

bool OutboundState::requestSent(TimePoint now) noexcept {
  if (phase_ != Phase::Sending) return false;
  moveTo(Phase::AwaitingResponse, now);
  arm(later(now, policy_.response), CloseReason::ResponseTimeout);
  return true;
}

bool OutboundState::headReceived(TimePoint now) noexcept {
  if (phase_ != Phase::Sending && phase_ != Phase::AwaitingResponse) return false;
  moveTo(Phase::Receiving, now);
  arm(later(now, policy_.stall), CloseReason::BodyTimeout);
  return true;
}

bool OutboundState::bodyProgress(TimePoint now) noexcept {
  if (phase_ != Phase::Receiving) return false;
  arm(later(now, policy_.stall), CloseReason::BodyTimeout);
  return true;
}

bool OutboundState::responseComplete(TimePoint now) noexcept {
  if (phase_ != Phase::Receiving || closeBegun()) return false;
  moveTo(Phase::Idle, now);
  arm(later(now, policy_.idle), CloseReason::IdleTimeout);
  return true;
}

bool OutboundState::beginClose(CloseReason reason, CloseMode mode) noexcept {
  if (reason == CloseReason::None || phase_ == Phase::Closed) return false;
  if (closeBegun()) {
    if (mode > closeMode_) closeMode_ = mode;
    return false;
  }
  closeReason_ = reason;
  closeMode_ = mode;
  tally_.onCloseBegun(reason);
  return true;
}

void OutboundState::closed() noexcept {
  if (phase_ == Phase::Closed) return;
  assert(closeBegun() && "an outbound close must have a reason");
  tally_.onClosed(phase_);
  phase_ = Phase::Closed;
  arm(TimePoint::max(), CloseReason::None);
}

}  // namespace closewise::lifecycle
