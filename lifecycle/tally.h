// The per-worker books: how many connections are in each phase, and totals since start.
//
// h2o keeps a counter per connection state and updates it on every transition, so its stats cost
// nothing to read and never walk the connection list. We do the same: ConnectionState is the
// only writer, and it calls in on every transition, so the counts are right by construction.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "lifecycle/phase.h"

namespace closewise::lifecycle {

class ConnectionState;

// The WebSocket close codes the books keep apart: 1000 to 1015 one by one (RFC 6455 section 7.4.1
// and the IANA registry), and the application range 3000 to 4999 as one.
inline constexpr std::size_t kWsCloseCodeSlots = 17;
// The slot of a close code, or kWsCloseCodeSlots for a code the books do not keep.
std::size_t wsCloseCodeSlot(std::uint16_t code) noexcept;
// "1000" to "1015", and "3000-4999" for the last slot.
std::string_view wsCloseCodeLabel(std::size_t slot) noexcept;

// WebSocket totals since start. A message is counted once complete (fragments assembled), its
// bytes are its payload's. A close is counted once, with the code sent or received that ended it:
// 1006 when the connection ended without a close frame (RFC 6455 section 7.1.5).
struct WsTotals {
  std::int64_t upgrades{};  // handshakes answered 101
  std::int64_t rejected{};  // handshakes answered 400 or 426
  std::int64_t messagesIn{};
  std::int64_t messagesOut{};
  std::int64_t bytesIn{};
  std::int64_t bytesOut{};
  std::array<std::int64_t, kWsCloseCodeSlots> closedByCode{};  // by wsCloseCodeSlot()

  WsTotals& operator+=(const WsTotals& other) noexcept;
  bool operator==(const WsTotals&) const noexcept = default;
};

// A copy of the books at one moment. Plain integers, so it can be summed across workers and
// handed to whatever formats /stats.
struct TallySnapshot {
  std::array<std::int64_t, kReportedPhaseCount> byPhase{};  // current connections per phase
  std::int64_t open{};      // sum of byPhase: connections not yet Closed
  std::int64_t accepted{};  // total accepted
  std::int64_t closed{};    // total closes BEGUN (so a lingering connection is already counted)
  std::int64_t requests{};  // total request heads completed
  std::array<std::int64_t, kCloseReasonCount> closedByReason{};  // index 0 (None) stays 0
  WsTotals websocket;

  // Sums another worker's books into these.
  TallySnapshot& operator+=(const TallySnapshot& other) noexcept;
  bool operator==(const TallySnapshot&) const noexcept = default;
};

// Single-writer rule: one thread (the worker that owns the connections) writes, any thread (the
// admin listener) reads. Because there is one writer, an update is a relaxed load followed by a
// relaxed store, which compiles to a plain add and store with no lock prefix on the hot path;
// a read-modify-write (fetch_add) would pay for atomicity between writers we do not have.
// Readers use relaxed loads: each field is a value that really existed, but a snapshot taken
// during a transition may see one side of it (say, the old phase decremented and the new one not
// yet incremented), so a field may be off by one for an instant. Nothing decides anything from a
// snapshot, so that is fine for /stats.
class Tally {
 public:
  Tally() noexcept = default;
  // A connection holds a reference to its worker's Tally; copying or moving the books would
  // leave that reference pointing at the wrong ones.
  Tally(const Tally&) = delete;
  Tally& operator=(const Tally&) = delete;

  // O(1): a fixed number of relaxed loads. Safe from any thread.
  TallySnapshot snapshot() const noexcept;

 private:
  // Only ConnectionState writes, so no other code can make the counts disagree with the phases.
  friend class ConnectionState;

  void onAccepted(Phase initial) noexcept;
  void onTransition(Phase from, Phase to) noexcept;
  void onCloseBegun(CloseReason reason) noexcept;
  void onRequest() noexcept;
  void onClosed(Phase from) noexcept;
  void onWsUpgrade() noexcept;
  void onWsRejected() noexcept;
  void onWsMessage(bool incoming, std::uint64_t bytes) noexcept;
  void onWsClosed(std::uint16_t code) noexcept;

  std::array<std::atomic<std::int64_t>, kReportedPhaseCount> byPhase_{};
  std::atomic<std::int64_t> accepted_{0};
  std::atomic<std::int64_t> closed_{0};
  std::atomic<std::int64_t> requests_{0};
  std::array<std::atomic<std::int64_t>, kCloseReasonCount> closedByReason_{};
  struct WsCounters {
    std::atomic<std::int64_t> upgrades{0};
    std::atomic<std::int64_t> rejected{0};
    std::atomic<std::int64_t> messagesIn{0};
    std::atomic<std::int64_t> messagesOut{0};
    std::atomic<std::int64_t> bytesIn{0};
    std::atomic<std::int64_t> bytesOut{0};
    std::array<std::atomic<std::int64_t>, kWsCloseCodeSlots> closedByCode{};
  };
  WsCounters ws_;
};

}  // namespace closewise::lifecycle
