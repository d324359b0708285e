// Alerts: the server's books cross-checked against the kernel and the process's limits.
//
// Each alert is a condition that does not hold in a healthy server, so it never needs tuning to
// stay quiet in normal operation, and each one names what to do about it. The evaluator is pure:
// it is handed the books, the kernel's view and a clock value, and says which alerts started and
// which cleared, so every rule is tested with made-up numbers. The admin loop runs it once a
// second and logs each change once: warn when an alert starts, info when it clears.
//
// The rules (docs/admin.md explains them for operators):
//
// close_wait      A connection the books show half-closed (the peer's FIN seen) for longer than
//                 --close-wait-alert, while the kernel reports sockets of ours in CLOSE_WAIT. The
//                 peer has left (RFC 9293 section 3.6: our side of the connection stays open until
//                 we close it) and a handler is still holding the exchange without answering. In
//                 closewise the demo handlers always answer; a fork's handler that waits on
//                 something that never comes is the usual cause.
// fd_pressure     Open file descriptors above 80% of the soft RLIMIT_NOFILE; clears below 75% so
//                 a count hovering at the line does not log on every evaluation.
// books_disagree  The kernel's count of our live sockets falls outside the range the books allow
//                 for more than 5 s. See BooksRange below for how the range is derived.
// accept_queue    A listener's accept queue (connections the kernel completed that we have not
//                 accept()ed) above 50% of its backlog: the worker loop is not keeping up.
// upstream_close_wait
//                 Sockets toward an upstream have been in CLOSE_WAIT, without a break, for longer
//                 than --close-wait-alert: the upstream closed and our pool has not. A pool reads
//                 in every phase and closes on the upstream's FIN at once, so a lasting one means
//                 a connection the pool no longer watches. The kernel cannot tell a socket's age
//                 in a state, so the rule times the count staying above zero.
// upstream_time_wait
//                 TIME_WAIT sockets toward one upstream above half of the ephemeral port range
//                 (net.ipv4.ip_local_port_range): each holds one four-tuple toward that endpoint
//                 for 60 s after we close first, and at the full range connect() fails with
//                 EADDRNOTAVAIL (ports_exhausted). Keep connections pooled longer, or let the
//                 upstream close first.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kernel/process_view.h"
#include "kernel/sock_diag.h"
#include "lifecycle/tally.h"

namespace closewise::admin {

enum class AlertKind : std::uint8_t {
  CloseWait,
  FdPressure,
  BooksDisagree,
  AcceptQueue,
  UpstreamCloseWait,
  UpstreamTimeWait,
};
inline constexpr std::size_t kAlertKindCount = 6;

// "close_wait", "fd_pressure", "books_disagree", "accept_queue", "upstream_close_wait",
// "upstream_time_wait": the names in /stats, /metrics, the logs and the dashboard.
std::string_view alertName(AlertKind kind) noexcept;
// One sentence: what the alert means and what to do.
std::string_view alertExplanation(AlertKind kind) noexcept;

// The evaluator's clock: milliseconds from any fixed origin (the admin loop passes uv_now()).
using AlertClock = std::chrono::milliseconds;

struct Alert {
  AlertKind kind{};
  std::string detail;  // the numbers behind it, at the last evaluation
  AlertClock since{};  // when it started
};

struct AlertThresholds {
  std::chrono::milliseconds closeWaitAfter{5'000};  // --close-wait-alert
  double fdStartShare = 0.80;
  double fdClearShare = 0.75;
  double acceptQueueShare = 0.50;
  std::chrono::milliseconds disagreeFor{5'000};
  // Books and kernel are read a few microseconds apart and the books' per-phase counters are
  // relaxed atomics that may be one off per worker during a transition (lifecycle/tally.h).
  std::int64_t disagreeSlack = 4;
  // Used when the kernel source cannot tell a listener's backlog (procfs reports 0).
  std::uint32_t fallbackBacklog = 511;
};

// The range of "live" kernel sockets (ESTABLISHED + CLOSE_WAIT, minus those still waiting in an
// accept queue) that the books allow. Phase to kernel state:
//   reading, processing, writing, idle  ESTABLISHED, or CLOSE_WAIT if the peer's FIN has arrived
//                                       and the worker has not read it yet;
//   half_closed                         CLOSE_WAIT (the peer's FIN is read, ours not yet sent);
//   closing                             FIN_WAIT1, FIN_WAIT2, CLOSING or LAST_ACK once our FIN is
//                                       out, but still ESTABLISHED or CLOSE_WAIT while that FIN
//                                       is queued behind response bytes a slow peer has not taken.
// So the live count lies between open - closing and open. A connection accepted or closed while
// the kernel was being read may be seen either way, so the range widens by the accepts and closes
// counted between the two reads of the books that bracket the kernel query; and by the slack.
struct BooksRange {
  std::int64_t low = 0;
  std::int64_t high = 0;
};
BooksRange booksRange(const lifecycle::TallySnapshot& before, const lifecycle::TallySnapshot& after,
                      std::int64_t slack) noexcept;
// ESTABLISHED + CLOSE_WAIT on our ports, minus the connections in our listeners' accept queues
// when the view counts them (a dump does: the kernel has them ESTABLISHED already; the books have
// not seen them yet. A read of our own descriptors never sees them).
std::int64_t kernelLiveSockets(const kernel::KernelView& kernel) noexcept;

// The kernel's sockets toward one upstream, in the states the upstream rules look at.
struct UpstreamSockets {
  std::string name;
  std::uint64_t closeWait = 0;
  std::uint64_t timeWait = 0;
};

// Everything one evaluation looks at.
struct AlertInputs {
  AlertClock now{};
  lifecycle::TallySnapshot booksBefore;  // read just before the kernel query
  lifecycle::TallySnapshot booksAfter;   // and just after it
  const kernel::KernelView* kernel =
      nullptr;  // a failed query (error set) leaves kernel alerts as they are
  kernel::ProcessView process;
  // Connections the books show with the peer's FIN seen longer than closeWaitAfter ago, and the
  // oldest of those ages. Looking costs a walk of every connection, so the caller looks only when
  // the kernel reports a CLOSE_WAIT socket on our ports, and leaves these 0 otherwise.
  std::uint64_t staleHalfClosed = 0;
  std::uint64_t oldestPeerFinMs = 0;
  // One per upstream, from the kernel; nullopt when it could not be read (the upstream alerts
  // then keep their state) and empty without upstreams.
  std::optional<std::vector<UpstreamSockets>> upstreams;
  // The size of the ephemeral port range; 0 when unknown (upstream_time_wait is then not judged).
  std::uint64_t ephemeralPorts = 0;
};

struct AlertChange {
  AlertKind kind{};
  bool started = false;  // false: it cleared
  std::string message;   // the log line
};

class AlertEvaluator {
 public:
  explicit AlertEvaluator(AlertThresholds thresholds = {}) : thresholds_(thresholds) {}

  // Updates every alert from the inputs; returns the alerts that started or cleared.
  std::vector<AlertChange> evaluate(const AlertInputs& inputs);

  std::vector<Alert> active() const;
  bool isActive(AlertKind kind) const noexcept {
    return slots_[static_cast<std::size_t>(kind)].active;
  }
  const AlertThresholds& thresholds() const noexcept { return thresholds_; }

 private:
  struct Slot {
    bool active = false;
    AlertClock since{};
    std::string detail;
  };
  void update(AlertKind kind, bool firing, std::string detail, AlertClock now,
              std::vector<AlertChange>& changes);
  void evaluateCloseWait(const AlertInputs& inputs, std::vector<AlertChange>& changes);
  void evaluateFds(const AlertInputs& inputs, std::vector<AlertChange>& changes);
  void evaluateBooks(const AlertInputs& inputs, std::vector<AlertChange>& changes);
  void evaluateAcceptQueue(const AlertInputs& inputs, std::vector<AlertChange>& changes);
  void evaluateUpstreamCloseWait(const AlertInputs& inputs, std::vector<AlertChange>& changes);
  void evaluateUpstreamTimeWait(const AlertInputs& inputs, std::vector<AlertChange>& changes);

  AlertThresholds thresholds_;
  std::array<Slot, kAlertKindCount> slots_{};
  bool disagreeing_ = false;    // the books and the kernel disagree now...
  AlertClock disagreeSince_{};  // ...and have since this moment
  // Upstreams with CLOSE_WAIT sockets toward them now, and since when without a break.
  std::map<std::string, AlertClock> upstreamCloseWaitSince_;
};

}  // namespace closewise::admin
