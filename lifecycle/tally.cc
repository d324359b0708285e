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

std::size_t wsCloseCodeSlot(std::uint16_t code) noexcept {
  if (code >= 1000 && code <= 1015) return code - 1000;
  if (code >= 3000 && code <= 4999) return kWsCloseCodeSlots - 1;
  return kWsCloseCodeSlots;
}

std::string_view wsCloseCodeLabel(std::size_t slot) noexcept {
  // Kept by hand: clang-format pads these literals into uneven columns.
  // clang-format off
  static constexpr std::array<std::string_view, kWsCloseCodeSlots> kLabels = {
      "1000", "1001", "1002", "1003", "1004", "1005", "1006", "1007", "1008", "1009", "1010",
      "1011", "1012", "1013", "1014", "1015", "3000-4999"};
  // clang-format on
  return slot < kLabels.size() ? kLabels[slot] : "other";
}

WsTotals& WsTotals::operator+=(const WsTotals& other) noexcept {
  upgrades += other.upgrades;
  rejected += other.rejected;
  messagesIn += other.messagesIn;
  messagesOut += other.messagesOut;
  bytesIn += other.bytesIn;
  bytesOut += other.bytesOut;
  for (std::size_t i = 0; i < closedByCode.size(); ++i) closedByCode[i] += other.closedByCode[i];
  return *this;
}

TallySnapshot& TallySnapshot::operator+=(const TallySnapshot& other) noexcept {
  for (std::size_t i = 0; i < byPhase.size(); ++i) byPhase[i] += other.byPhase[i];
  open += other.open;
  accepted += other.accepted;
  closed += other.closed;
  requests += other.requests;
  for (std::size_t i = 0; i < closedByReason.size(); ++i)
    closedByReason[i] += other.closedByReason[i];
  websocket += other.websocket;
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
  s.websocket.upgrades = read(ws_.upgrades);
  s.websocket.rejected = read(ws_.rejected);
  s.websocket.messagesIn = read(ws_.messagesIn);
  s.websocket.messagesOut = read(ws_.messagesOut);
  s.websocket.bytesIn = read(ws_.bytesIn);
  s.websocket.bytesOut = read(ws_.bytesOut);
  for (std::size_t i = 0; i < ws_.closedByCode.size(); ++i) {
    s.websocket.closedByCode[i] = read(ws_.closedByCode[i]);
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

void Tally::onWsUpgrade() noexcept {
  bump(ws_.upgrades, 1);
}

void Tally::onWsRejected() noexcept {
  bump(ws_.rejected, 1);
}

void Tally::onWsMessage(bool incoming, std::uint64_t bytes) noexcept {
  bump(incoming ? ws_.messagesIn : ws_.messagesOut, 1);
  bump(incoming ? ws_.bytesIn : ws_.bytesOut, static_cast<std::int64_t>(bytes));
}

void Tally::onWsClosed(std::uint16_t code) noexcept {
  const std::size_t slot = wsCloseCodeSlot(code);
  if (slot < kWsCloseCodeSlots) bump(ws_.closedByCode[slot], 1);
}

}  // namespace closewise::lifecycle
