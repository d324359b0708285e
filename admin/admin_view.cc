#include "admin/admin_view.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "kernel/process_view.h"
#include "server/uv_error.h"

namespace closewise::admin {

AdminView::AdminView(server::ControlSurface& server, AlertThresholds thresholds,
                     const upstream::Registry* upstreams)
    : server_(server), upstreams_(upstreams), alerts_(thresholds), loop_(server.mainLoop()) {
  if (upstreams_ != nullptr) endpoints_.emplace(*upstreams_);
}

void AdminView::start() {
  // Opens the /proc files the process figures come from while descriptors are still free; they
  // stay open, so the alerts can still count descriptors once none is left.
  (void)kernel::readProcessView();
  if (const int rc = uv_timer_init(loop_, &tick_); rc != 0) {
    spdlog::error("admin: cannot start the alert timer: {}", server::uvError("uv_timer_init", rc));
    return;
  }
  tick_.data = this;
  timerOpen_ = true;
  server_.onStopping([this] { stop(); });
  // The alerts watch the server; they are never a reason for its main loop to keep running.
  uv_unref(reinterpret_cast<uv_handle_t*>(&tick_));
  if (const int rc = uv_timer_start(&tick_, &AdminView::onTickThunk, kTickMs, kTickMs); rc != 0) {
    spdlog::error("admin: cannot start the alert timer: {}", server::uvError("uv_timer_start", rc));
  }
}

void AdminView::stop() {
  if (!timerOpen_) return;
  timerOpen_ = false;
  uv_close(reinterpret_cast<uv_handle_t*>(&tick_), nullptr);
}

AdminSnapshot AdminView::gather() {
  AdminSnapshot snapshot;
  snapshot.server = server_.snapshot();
  snapshot.kernel = recentKernel();
  snapshot.process = kernel::readProcessView();
  snapshot.process.loopUtilization = utilization_;
  snapshot.alerts = alerts_.active();
  snapshot.nowMs = uv_now(loop_);
  snapshot.upstreams = gatherUpstreams();
  return snapshot;
}

// The public ports are known only once Server::run() has bound them, so the reader is made on
// first use. Without ports (binding failed, or not yet) the view is empty with an error. Only the
// families that have a listener on our ports are walked (see Families in sock_diag.h).
bool AdminView::ensureReader() {
  if (reader_) return true;
  auto ports = server_.publicPorts();
  if (ports.empty()) return false;
  reader_ = std::make_unique<kernel::KernelStateReader>(std::move(ports),
                                                        kernel::Families{.fromListeners = true});
  return true;
}

namespace {

kernel::KernelView noListener() {
  kernel::KernelView none;
  none.error = "no public listener bound";
  return none;
}

}  // namespace

kernel::KernelView AdminView::queryKernel() {
  if (!ensureReader()) return noListener();
  kernel::KernelView view = reader_->query();
  last_ = view;
  lastAt_ = uv_hrtime();
  return view;
}

// What the alert tick reads: ESTABLISHED and CLOSE_WAIT counts and the accept queues, all of which
// belong to sockets we hold an fd for. So they are read through our own descriptors
// (KernelStateReader::queryOwn), at a cost that follows our sockets, rather than by a dump, which
// walks every socket on the host: on a host with tens of thousands of TIME_WAIT sockets (any busy
// server that closes first) a dump takes tens of milliseconds of the core a worker needs, every
// tick. Reading our own also keeps a second process on the same ports (the old instance draining
// after a handoff) out of the books' comparison.
kernel::KernelView AdminView::queryForAlerts() {
  if (!ensureReader()) return noListener();
  kernel::KernelView view = reader_->queryOwn(kAlertStates);
  alertQueryMicros_ = view.queryMicros;
  return view;
}

// The view /stats, /metrics and the dashboard show. The kernel walks every TCP socket on the host
// for each query (tens of ms with tens of thousands of sockets), so however often they are polled,
// a view is reused while it is younger than max(250 ms, 100 x its own query time): the queries
// then cost at most about 1% of a core on top of the 1 s alert tick. The view's age is reported
// beside it (kernel.age_ms).
kernel::KernelView AdminView::recentKernel() {
  const std::uint64_t now = uv_hrtime();
  if (!fresh(lastAt_, last_.queryMicros, now) || !last_.error.empty()) return queryKernel();
  kernel::KernelView view = last_;
  view.ageMicros = (now - lastAt_) / 1000;
  return view;
}

// Whether a view read at `at` (uv_hrtime(), 0 for never) that took queryMicros to read may still
// be shown at `now`: the reuse window of recentKernel, for every view the admin reads by a dump.
bool AdminView::fresh(std::uint64_t at, std::uint64_t queryMicros, std::uint64_t now) noexcept {
  const std::uint64_t window = std::max<std::uint64_t>(kMinReuseNs, 100 * 1000 * queryMicros);
  return at != 0 && now - at < window;
}

// The sockets toward the upstreams, in every state, shared by /stats, /metrics and the alert
// tick under recentKernel's reuse window: each read is a dump per upstream port, which a client
// polling /stats must not be able to repeat at will. Read again once an endpoint was learnt,
// since the view has no count for it.
const kernel::RemoteView& AdminView::recentUpstreamView() {
  const std::uint64_t now = uv_hrtime();
  const auto& endpoints = endpoints_->endpoints();
  if (fresh(upstreamLastAt_, upstreamLast_.queryMicros, now) && upstreamLast_.error.empty() &&
      upstreamLastEndpoints_ == endpoints.size()) {
    return upstreamLast_;
  }
  upstreamLast_ = reader_->queryRemote(endpoints, kernel::kAllTcpStates);
  upstreamLastEndpoints_ = endpoints.size();
  upstreamLastAt_ = now;
  ++upstreamQueries_;
  return upstreamLast_;
}

// The kernel's count of the sockets toward each upstream, added to its books: one dump per
// upstream port, filtered by the kernel, so a host with many sockets toward other peers costs
// little more than one with none. False when the kernel could not be read.
bool AdminView::countUpstreamSockets(std::vector<UpstreamBooks>& books) {
  endpoints_->learn(*upstreams_);
  if (endpoints_->endpoints().empty()) return true;
  if (!ensureReader()) return false;
  const kernel::RemoteView& view = recentUpstreamView();
  addKernelCounts(books, *endpoints_, view);
  return view.error.empty();
}

std::vector<UpstreamBooks> AdminView::gatherUpstreams() {
  if (upstreams_ == nullptr) return {};
  auto books = gatherUpstreamBooks(*upstreams_);
  (void)countUpstreamSockets(books);  // a failed read shows zeros
  return books;
}

// What the upstream rules look at; nullopt when the kernel could not be read.
std::optional<std::vector<UpstreamSockets>> AdminView::upstreamsForAlerts() {
  if (upstreams_ == nullptr) return std::vector<UpstreamSockets>{};
  auto books = gatherUpstreamBooks(*upstreams_);
  if (!countUpstreamSockets(books)) return std::nullopt;
  std::vector<UpstreamSockets> sockets;
  for (const auto& line : books) {
    sockets.push_back({line.name,
                       line.kernel[static_cast<std::size_t>(kernel::TcpState::CloseWait)],
                       line.kernel[static_cast<std::size_t>(kernel::TcpState::TimeWait)]});
  }
  return sockets;
}

void AdminView::onTickThunk(uv_timer_t* timer) noexcept {
  static_cast<AdminView*>(timer->data)->onTick();
}

void AdminView::onTick() {
  // Sampled once a second, here only, so the figure always covers the last second.
  utilization_ = server_.loopUtilization();
  // A walk of the connections from the previous tick has not come back yet: the workers are busy,
  // and asking again would only queue more work for them.
  if (walkPending_ || !alertTickDue()) return;

  AlertInputs inputs;
  inputs.now = AlertClock(lastAlertTickMs_);
  inputs.booksBefore = server_.snapshot().tally;
  auto kernel = std::make_shared<kernel::KernelView>(queryForAlerts());
  inputs.booksAfter = server_.snapshot().tally;
  inputs.process = processForAlerts(*kernel);
  inputs.upstreams = upstreamsForAlerts();
  inputs.ephemeralPorts = kernel::ephemeralPortCount().value_or(0);
  // The books' half-closed ages need a walk of every connection; CLOSE_WAIT is rare in a healthy
  // server, so walk only when the kernel reports one on our ports.
  if (!kernel->error.empty() || kernel->count(kernel::TcpState::CloseWait) == 0) {
    inputs.kernel = kernel.get();
    evaluate(inputs);
    return;
  }
  countStaleHalfClosed(inputs, kernel);
}

bool AdminView::alertTickDue() {
  // The read costs two system calls per descriptor we hold (about 10 ms with 10,000 idle
  // connections), on a core a worker may need: the alerts are evaluated at most as often as keeps
  // that under 1% of a core.
  const std::uint64_t nowMs = uv_now(loop_);
  // (Half a tick of slack, so a timer that fires a little early does not skip a whole tick.)
  const std::uint64_t intervalMs = std::max<std::uint64_t>(kTickMs, alertQueryMicros_ / 10);
  if (lastAlertTickMs_ != 0 && nowMs - lastAlertTickMs_ + kTickMs / 2 < intervalMs) return false;
  lastAlertTickMs_ = nowMs;
  return true;
}

kernel::ProcessView AdminView::processForAlerts(const kernel::KernelView& kernel) const {
  // The own-descriptor read has just listed /proc/self/fd (descriptors is 0 only if it fell back
  // to a dump); listing it again would double the tick's largest cost.
  const bool listed = kernel.descriptors != 0;
  kernel::ProcessView process = kernel::readProcessView(!listed);
  if (listed) process.openFds = kernel.descriptors;
  process.loopUtilization = utilization_;
  return process;
}

void AdminView::countStaleHalfClosed(AlertInputs inputs,
                                     const std::shared_ptr<kernel::KernelView>& kernel) {
  walkPending_ = true;
  const auto threshold = static_cast<std::uint64_t>(alerts_.thresholds().closeWaitAfter.count());
  server_.listConnections([this, inputs, kernel, threshold](
                              const std::vector<server::ConnectionInfo>& connections) mutable {
    walkPending_ = false;
    // The server is stopping: nothing is left to alert about.
    if (!timerOpen_) return;
    for (const auto& c : connections) {
      if (c.peerFinSeen && c.sincePeerFinMs > threshold) {
        ++inputs.staleHalfClosed;
        inputs.oldestPeerFinMs = std::max(inputs.oldestPeerFinMs, c.sincePeerFinMs);
      }
    }
    inputs.kernel = kernel.get();
    evaluate(inputs);
  });
}

void AdminView::evaluate(const AlertInputs& inputs) {
  for (const auto& change : alerts_.evaluate(inputs)) {
    if (change.started) {
      spdlog::warn("{}. {}", change.message, alertExplanation(change.kind));
    } else {
      spdlog::info("{}", change.message);
    }
  }
}

}  // namespace closewise::admin
