#include "lifecycle/tally.h"

#include <cassert>

namespace closewise::lifecycle {

namespace {

// The single writer's update: see the class comment in tally.h for why this is not fetch_add.
void bump(std::atomic<std::int64_t>& counter, std::int64_t delta) noexcept {
  counter.store(counter.load(std::memory_order_relaxed) + delta, std::memory_order_relaxed);
}

std::int64_t read(const std::atomic<std::int64_t>& counter) noexcept {
  return counter.load(std::memory_order_relaxed);
}

}  // namespace

TallySnapshot& TallySnapshot::operator+=(const TallySnapshot& other) noexcept {
  for (std::size_t i = 0; i < byPhase.size(); ++i) byPhase[i] += other.byPhase[i];
  open += other.open;
  accepted += other.accepted;
  closed += other.closed;
  requests += other.requests;
  for (std::size_t i = 0; i < closedByReason.size(); ++i)
    closedByReason[i] += other.closedByReason[i];
  return *this;
}

TallySnapshot Tally::snapshot() const noexcept {
  TallySnapshot s;
  for (std::size_t i = 0; i < byPhase_.size(); ++i) {
    s.byPhase[i] = read(byPhase_[i]);
    // open is derived rather than stored, so it equals the sum of byPhase in every snapshot.
    s.open += s.byPhase[i];
  }
  s.accepted = read(accepted_);
  s.closed = read(closed_);
  s.requests = read(requests_);
  for (std::size_t i = 0; i < closedByReason_.size(); ++i) {
    s.closedByReason[i] = read(closedByReason_[i]);
  }
  return s;
}

void Tally::onAccepted(Phase initial) noexcept {
  assert(initial != Phase::Closed);
  bump(accepted_, 1);
  bump(byPhase_[static_cast<std::size_t>(initial)], 1);
}

void Tally::onTransition(Phase from, Phase to) noexcept {
  // Reaching Closed goes through onClosed; a transition is between two counted phases.
  assert(from != Phase::Closed && to != Phase::Closed);
  if (from == to) return;
  bump(byPhase_[static_cast<std::size_t>(from)], -1);
  bump(byPhase_[static_cast<std::size_t>(to)], 1);
}

void Tally::onCloseBegun(CloseReason reason) noexcept {
  assert(reason != CloseReason::None);
  bump(closed_, 1);
  bump(closedByReason_[static_cast<std::size_t>(reason)], 1);
}

void Tally::onRequest() noexcept {
  bump(requests_, 1);
}

void Tally::onClosed(Phase from) noexcept {
  assert(from != Phase::Closed);
  bump(byPhase_[static_cast<std::size_t>(from)], -1);
}

}  // namespace closewise::lifecycle
