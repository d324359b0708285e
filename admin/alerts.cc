#include "admin/alerts.h"

#include <fmt/format.h>

#include <algorithm>

namespace closewise::admin {

namespace {

std::int64_t closingOf(const lifecycle::TallySnapshot& books) noexcept {
  return books.byPhase[static_cast<std::size_t>(lifecycle::Phase::Closing)];
}

std::int64_t asSigned(std::uint64_t value) noexcept {
  return static_cast<std::int64_t>(std::min<std::uint64_t>(value, INT64_MAX));
}

}  // namespace

std::string_view alertName(AlertKind kind) noexcept {
  switch (kind) {
    case AlertKind::CloseWait:
      return "close_wait";
    case AlertKind::FdPressure:
      return "fd_pressure";
    case AlertKind::BooksDisagree:
      return "books_disagree";
    case AlertKind::AcceptQueue:
      return "accept_queue";
    case AlertKind::UpstreamCloseWait:
      return "upstream_close_wait";
    case AlertKind::UpstreamTimeWait:
      return "upstream_time_wait";
  }
  return "unknown";
}

std::string_view alertExplanation(AlertKind kind) noexcept {
  switch (kind) {
    case AlertKind::CloseWait:
      return "A peer closed its side and a handler still holds the exchange without answering, so "
             "the socket sits in CLOSE_WAIT and its fd is not freed until the handler deadline. "
             "Find the handler with GET /connections?state=half_closed and make it answer or "
             "watch Responder::onCancel.";
    case AlertKind::FdPressure:
      return "Open file descriptors are above 80% of the soft RLIMIT_NOFILE; at 100% accept() "
             "fails with EMFILE. Look for connections that should have closed (CLOSE_WAIT, long "
             "idle) or raise LimitNOFILE.";
    case AlertKind::BooksDisagree:
      return "The kernel holds a different number of live sockets on our ports than the server's "
             "books allow: either sockets the server lost track of (an fd leak) or connections "
             "the books count that the kernel already dropped. Compare GET /connections with "
             "`ss -tn state established '( sport = :PORT )'`.";
    case AlertKind::AcceptQueue:
      return "A listener's accept queue is more than half full: the kernel has completed "
             "handshakes the workers have not accepted, so the loops are stalled or overloaded. "
             "At 100% new connections are dropped. Check loop_utilization and add workers.";
    case AlertKind::UpstreamCloseWait:
      return "An upstream closed connections our pool has not closed, so they sit in CLOSE_WAIT "
             "holding a descriptor each. Look at the pool's close reasons in /stats and list the "
             "sockets with `ss -tn state close-wait '( dport = :PORT )'`.";
    case AlertKind::UpstreamTimeWait:
      return "We close first toward this upstream so often that its TIME_WAIT sockets hold over "
             "half of the ephemeral ports; at the full range connect() fails (ports_exhausted). "
             "Raise the upstream's idle timeout above ours, keep connections pooled, or widen "
             "net.ipv4.ip_local_port_range.";
  }
  return "";
}

BooksRange booksRange(const lifecycle::TallySnapshot& before, const lifecycle::TallySnapshot& after,
                      std::int64_t slack) noexcept {
  const std::int64_t churn = std::max<std::int64_t>(0, after.accepted - before.accepted) +
                             std::max<std::int64_t>(0, after.closed - before.closed);
  const std::int64_t lowBefore = before.open - closingOf(before);
  const std::int64_t lowAfter = after.open - closingOf(after);
  BooksRange range;
  range.low = std::min(lowBefore, lowAfter) - churn - slack;
  range.high = std::max(before.open, after.open) + churn + slack;
  return range;
}

std::int64_t kernelLiveSockets(const kernel::KernelView& kernel) noexcept {
  std::int64_t queued = 0;
  if (kernel.includesAcceptQueues) {
    for (const auto& queue : kernel.listenQueues) queued += queue.pending;
  }
  return asSigned(kernel.count(kernel::TcpState::Established)) +
         asSigned(kernel.count(kernel::TcpState::CloseWait)) - queued;
}

std::vector<AlertChange> AlertEvaluator::evaluate(const AlertInputs& inputs) {
  std::vector<AlertChange> changes;
  evaluateFds(inputs, changes);
  // The kernel alerts keep their state through a failed query: no data is not a clear.
  if (inputs.kernel != nullptr && inputs.kernel->error.empty()) {
    evaluateCloseWait(inputs, changes);
    evaluateBooks(inputs, changes);
    evaluateAcceptQueue(inputs, changes);
  }
  if (inputs.upstreams) {
    evaluateUpstreamCloseWait(inputs, changes);
    evaluateUpstreamTimeWait(inputs, changes);
  }
  return changes;
}

std::vector<Alert> AlertEvaluator::active() const {
  std::vector<Alert> alerts;
  for (std::size_t i = 0; i < kAlertKindCount; ++i) {
    if (!slots_[i].active) continue;
    alerts.push_back({static_cast<AlertKind>(i), slots_[i].detail, slots_[i].since});
  }
  return alerts;
}

void AlertEvaluator::update(AlertKind kind, bool firing, std::string detail, AlertClock now,
                            std::vector<AlertChange>& changes) {
  Slot& slot = slots_[static_cast<std::size_t>(kind)];
  if (firing && !slot.active) {
    slot.active = true;
    slot.since = now;
    changes.push_back({kind, true, fmt::format("alert {} started: {}", alertName(kind), detail)});
  } else if (!firing && slot.active) {
    slot.active = false;
    const auto lasted = (now - slot.since).count();
    changes.push_back(
        {kind, false,
         fmt::format("alert {} cleared after {} ms: {}", alertName(kind), lasted, detail)});
  }
  slot.detail = std::move(detail);
}

void AlertEvaluator::evaluateCloseWait(const AlertInputs& inputs,
                                       std::vector<AlertChange>& changes) {
  // Both sources must agree: the books alone could name a connection whose FIN we just read and
  // are about to answer, and the kernel alone cannot tell how long a socket has been in
  // CLOSE_WAIT.
  const std::uint64_t kernelCloseWait = inputs.kernel->count(kernel::TcpState::CloseWait);
  const bool firing = inputs.staleHalfClosed > 0 && kernelCloseWait > 0;
  update(AlertKind::CloseWait, firing,
         fmt::format("{} connection(s) half-closed by the peer for over {} ms without an answer "
                     "(oldest {} ms); the kernel reports {} CLOSE_WAIT socket(s) on our ports",
                     inputs.staleHalfClosed, thresholds_.closeWaitAfter.count(),
                     inputs.oldestPeerFinMs, kernelCloseWait),
         inputs.now, changes);
}

void AlertEvaluator::evaluateFds(const AlertInputs& inputs, std::vector<AlertChange>& changes) {
  const auto& process = inputs.process;
  if (process.fdLimit == 0) return;  // unknown or unlimited: nothing to compare against
  const double share = static_cast<double>(process.openFds) / static_cast<double>(process.fdLimit);
  const bool wasActive = isActive(AlertKind::FdPressure);
  const bool firing =
      wasActive ? share >= thresholds_.fdClearShare : share > thresholds_.fdStartShare;
  update(AlertKind::FdPressure, firing,
         fmt::format("{} of {} file descriptors open ({:.0f}%)", process.openFds, process.fdLimit,
                     share * 100.0),
         inputs.now, changes);
}

void AlertEvaluator::evaluateBooks(const AlertInputs& inputs, std::vector<AlertChange>& changes) {
  const BooksRange range =
      booksRange(inputs.booksBefore, inputs.booksAfter, thresholds_.disagreeSlack);
  const std::int64_t live = kernelLiveSockets(*inputs.kernel);
  const bool outside = live < range.low || live > range.high;
  if (outside && !disagreeing_) disagreeSince_ = inputs.now;
  disagreeing_ = outside;
  // A single disagreeing read can be a burst of churn the bracket did not capture; a disagreement
  // that lasts is a leak.
  const bool firing = outside && inputs.now - disagreeSince_ >= thresholds_.disagreeFor;
  update(AlertKind::BooksDisagree, firing,
         fmt::format("kernel has {} live socket(s) on our ports (ESTABLISHED + CLOSE_WAIT, "
                     "not counting accept queues); the books allow {} to {} ({} open, {} closing)",
                     live, std::max<std::int64_t>(0, range.low), range.high, inputs.booksAfter.open,
                     closingOf(inputs.booksAfter)),
         inputs.now, changes);
}

void AlertEvaluator::evaluateAcceptQueue(const AlertInputs& inputs,
                                         std::vector<AlertChange>& changes) {
  const kernel::ListenQueue* fullest = nullptr;
  double fullestShare = 0.0;
  for (const auto& queue : inputs.kernel->listenQueues) {
    const std::uint32_t backlog = queue.backlog != 0 ? queue.backlog : thresholds_.fallbackBacklog;
    if (backlog == 0) continue;
    const double share = static_cast<double>(queue.pending) / static_cast<double>(backlog);
    if (fullest == nullptr || share > fullestShare) {
      fullest = &queue;
      fullestShare = share;
    }
  }
  if (fullest == nullptr) {
    update(AlertKind::AcceptQueue, false, "no listener on our ports", inputs.now, changes);
    return;
  }
  update(AlertKind::AcceptQueue, fullestShare > thresholds_.acceptQueueShare,
         fmt::format("{}: {} connection(s) waiting to be accepted, backlog {}", fullest->address,
                     fullest->pending,
                     fullest->backlog != 0 ? fullest->backlog : thresholds_.fallbackBacklog),
         inputs.now, changes);
}

void AlertEvaluator::evaluateUpstreamCloseWait(const AlertInputs& inputs,
                                               std::vector<AlertChange>& changes) {
  std::map<std::string, AlertClock> since;
  std::string stale;
  for (const auto& upstream : *inputs.upstreams) {
    if (upstream.closeWait == 0) continue;
    const auto known = upstreamCloseWaitSince_.find(upstream.name);
    const AlertClock start = known != upstreamCloseWaitSince_.end() ? known->second : inputs.now;
    since[upstream.name] = start;
    if (inputs.now - start < thresholds_.closeWaitAfter) continue;
    if (!stale.empty()) stale += ", ";
    stale += fmt::format("{} ({} socket(s), for {} ms)", upstream.name, upstream.closeWait,
                         (inputs.now - start).count());
  }
  upstreamCloseWaitSince_ = std::move(since);
  update(AlertKind::UpstreamCloseWait, !stale.empty(),
         stale.empty() ? "no lasting CLOSE_WAIT toward an upstream"
                       : fmt::format("CLOSE_WAIT toward {} for over {} ms", stale,
                                     thresholds_.closeWaitAfter.count()),
         inputs.now, changes);
}

void AlertEvaluator::evaluateUpstreamTimeWait(const AlertInputs& inputs,
                                              std::vector<AlertChange>& changes) {
  if (inputs.ephemeralPorts == 0) return;  // no range to compare against
  const UpstreamSockets* most = nullptr;
  for (const auto& upstream : *inputs.upstreams) {
    if (most == nullptr || upstream.timeWait > most->timeWait) most = &upstream;
  }
  if (most == nullptr) {
    update(AlertKind::UpstreamTimeWait, false, "no upstream", inputs.now, changes);
    return;
  }
  update(AlertKind::UpstreamTimeWait, most->timeWait > inputs.ephemeralPorts / 2,
         fmt::format("{} TIME_WAIT socket(s) toward {}; the ephemeral port range holds {}",
                     most->timeWait, most->name, inputs.ephemeralPorts),
         inputs.now, changes);
}

}  // namespace closewise::admin
