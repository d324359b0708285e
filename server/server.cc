#include "server/server.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>

#include "kernel/address.h"
#include "kernel/tcp_info.h"
#include "server/uv_error.h"

namespace closewise::server {

namespace {

std::string ms(std::chrono::milliseconds d) {
  return std::to_string(d.count()) + "ms";
}

// Connections the admin listener holds at once: probes, a scraper and a few dashboards need a
// handful. At the limit the one that has waited longest on its client is closed to make room
// (WorkerOptions::evictAtLimit), so whoever can reach the port can hold slots but never lock a
// liveness probe out.
constexpr std::size_t kAdminConnections = 64;

// The admin listener's deadlines, shorter than the public defaults: its requests are one-line
// GETs and POSTs without a body from probes, scrapers and the dashboard, sent in one piece and
// answered at once, so a head that takes seconds or a connection that sits idle between polls
// is holding a slot, and should not hold it long. The idle timeout still spans the dashboard's
// one-second poll; a scraper polling less often reconnects, which costs it one handshake.
lifecycle::TimeoutPolicy adminTimeouts() {
  lifecycle::TimeoutPolicy timeouts;
  timeouts.header = std::chrono::seconds(3);
  timeouts.body = std::chrono::seconds(3);
  timeouts.write = std::chrono::seconds(10);
  timeouts.idle = std::chrono::seconds(10);
  timeouts.linger = std::chrono::seconds(2);
  timeouts.lingerRead = std::chrono::seconds(1);
  return timeouts;
}

}  // namespace

std::size_t defaultMaxConnections(unsigned workers) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 65536;
  const std::size_t reserve = 32 + 8 * static_cast<std::size_t>(workers);
  const auto soft = static_cast<std::size_t>(limit.rlim_cur);
  return soft > reserve + 16 ? soft - reserve : 16;
}

Server::Server(Config config) : config_(std::move(config)) {
  mainLoopInit_ = uv_loop_init(&mainLoop_);
  mainLoop_.data = this;
}

Server::~Server() {
  for (auto& w : workers_) {
    if (w->threadStarted) uv_thread_join(&w->thread);
  }
}

WorkerOptions Server::workerOptions(std::size_t maxConnectionsPerWorker) const {
  WorkerOptions options;
  options.name = "public";
  options.reusePort = config_.workers > 1;
  options.limits.maxHeaderBytes = config_.maxHeaderBytes;
  options.limits.maxBodyBytes = config_.maxBodyBytes;
  options.wsMaxMessageBytes = config_.wsMaxMessageBytes;
  options.timeouts = config_.timeouts;
  options.drainDelay = config_.drainDelay;
  options.drainTimeout = config_.drainTimeout;
  options.maxConnections = maxConnectionsPerWorker;
  options.tcpKeepalive = config_.tcpKeepalive;
  options.accessLog = config_.accessLog;
  options.backlog = kBacklog;
  // Inherited sockets are shared out by buildWorkers(); --listen is bound by each worker itself.
  if (inheritedFds().empty()) {
    for (const auto& address : config_.listen) {
      options.listen.push_back({address.host, address.port, -1});
    }
  }
  return options;
}

std::string Server::buildWorkers(unsigned n, std::size_t perWorker) {
  std::vector<std::vector<WorkerSocket>> shares;
  if (std::string error = shareInheritedSockets(n, &shares); !error.empty()) return error;
  for (unsigned i = 0; i < n; ++i) {
    auto w = std::make_unique<WorkerThread>();
    if (std::string error = openWorkerLoop(&w->loop, i); !error.empty()) return error;
    WorkerOptions options = workerOptions(perWorker);
    std::string error;
    if (!shares.empty()) {
      error = adoptShare(shares[i], &options);
    } else if (i > 0) {
      // With --listen HOST:0 the first worker learns its port from the kernel; the others must
      // join that port's SO_REUSEPORT group rather than each get a port of its own.
      const auto& first = workers_.front()->worker->listeners();
      for (std::size_t k = 0; k < options.listen.size() && k < first.size(); ++k) {
        if (options.listen[k].port == 0) options.listen[k].port = first[k]->port();
      }
    }
    w->server = this;
    w->worker = std::make_unique<Worker>(&w->loop, publicRouter_, std::move(options), i);
    for (const auto& make : companionFactories_) w->worker->addCompanion(make(&w->loop, i));
    if (error.empty()) error = w->worker->start();
    workers_.push_back(std::move(w));
    if (!error.empty()) return error;
  }
  return "";
}

std::string Server::shareInheritedSockets(unsigned n,
                                          std::vector<std::vector<WorkerSocket>>* shares) const {
  // Inherited sockets (--inherit-fds: a predecessor's or systemd's) are spread so that every
  // socket has a worker accepting from it and every worker listens on every address; see
  // assignToWorkers(). They arrive without FD_CLOEXEC (that is how they got here) and get it
  // back, so that a later successor receives only the fds it is told about.
  const std::vector<int>& inherited = inheritedFds();
  if (inherited.empty()) return "";
  std::string error;
  const auto groups = groupByAddress(inherited, &error);
  if (!error.empty()) return error;
  for (int fd : inherited) fcntl(fd, F_SETFD, FD_CLOEXEC);
  *shares = assignToWorkers(groups, n);
  return "";
}

std::string Server::openWorkerLoop(uv_loop_t* loop, unsigned index) {
  // uv_loop_init opens an epoll fd and an eventfd, so it fails with EMFILE at a low fd limit.
  if (int rc = uv_loop_init(loop); rc != 0) {
    return uvError("worker " + std::to_string(index) + " loop", rc);
  }
  // Lets /stats report how busy each loop is (uv_metrics_idle_time), at the cost of two clock
  // reads per loop iteration. Without it every loop would read as always busy.
  if (int rc = uv_loop_configure(loop, UV_METRICS_IDLE_TIME); rc != 0) {
    uv_loop_close(loop);
    return uvError("worker " + std::to_string(index) + " loop metrics", rc);
  }
  return "";
}

std::string Server::adoptShare(const std::vector<WorkerSocket>& share, WorkerOptions* options) {
  for (const WorkerSocket& socket : share) {
    // Each worker closes what it adopted when it drains, so a shared socket is adopted through
    // its own descriptor.
    const int fd = socket.duplicate ? fcntl(socket.fd, F_DUPFD_CLOEXEC, 3) : socket.fd;
    if (fd < 0) {
      return "dup of inherited fd " + std::to_string(socket.fd) + ": " + std::strerror(errno);
    }
    options->listen.push_back({"", 0, fd});
  }
  return "";
}

std::size_t Server::maxConnections() const {
  return config_.maxConnections != 0 ? config_.maxConnections
                                     : defaultMaxConnections(config_.workers);
}

std::size_t Server::connectionsPerWorker() const {
  return std::max<std::size_t>(1, maxConnections() / config_.workers);
}

int Server::run() {
  startedAt_ = std::chrono::steady_clock::now();
  if (const std::string error = openMainLoop(); !error.empty()) {
    spdlog::error("cannot start: {}", error);
    return 1;
  }
  // Bind everything before any thread starts, so a taken port is a clear error and exit 1.
  if (const std::string error = bindAll(); !error.empty()) {
    spdlog::error("cannot start: {}", error);
    abandonStart();
    return 1;
  }
  logListening();
  startWorkers();
  announceReady();
  // Until the last worker has finished and closeMain() has closed the main loop's handles.
  uv_run(&mainLoop_, UV_RUN_DEFAULT);
  return tearDown();
}

std::string Server::openMainLoop() {
  // The main loop and its wake-up each need a descriptor (an epoll fd, an eventfd), so at a very
  // low fd limit they fail; nothing else is open yet, so there is nothing to tear down.
  int rc = mainLoopInit_;
  if (rc == 0 && (rc = uv_async_init(&mainLoop_, &workerDone_, &Server::onWorkerDoneThunk)) != 0) {
    uv_loop_close(&mainLoop_);
  }
  if (rc != 0) return uvError("main loop", rc);
  workerDone_.data = this;
  return "";
}

std::string Server::bindAll() {
  // From here a signal waits for the main loop instead of taking its default action (which for
  // SIGHUP and SIGQUIT would end the process); the loop runs once the workers do.
  std::string error = watchSignals();
  if (error.empty()) error = buildWorkers(config_.workers, connectionsPerWorker());
  if (error.empty()) error = bindAdminListener();
  if (error.empty()) {
    for (const auto& listener : workers_.front()->worker->listeners()) {
      addresses_.push_back(listener->address());
      ports_.push_back(listener->port());
    }
  }
  return error;
}

std::string Server::bindAdminListener() {
  if (!adminAddress_) {
    if (inheritedAdminFd_ >= 0) {
      spdlog::warn("an admin socket (fd {}) was inherited but --admin is off: closing it",
                   inheritedAdminFd_);
      ::close(inheritedAdminFd_);
    }
    return "";
  }
  WorkerOptions options;
  options.name = "admin";
  // A predecessor's (or systemd's) admin socket is adopted, so health checks are never refused
  // during a restart.
  if (inheritedAdminFd_ >= 0) {
    fcntl(inheritedAdminFd_, F_SETFD, FD_CLOEXEC);
    options.listen.push_back({"", 0, inheritedAdminFd_});
  } else {
    options.listen.push_back({adminAddress_->host, adminAddress_->port, -1});
  }
  options.maxConnections = kAdminConnections;
  options.evictAtLimit = true;
  options.timeouts = adminTimeouts();
  admin_ = std::make_unique<Worker>(&mainLoop_, adminRouter_, options, 0);
  return admin_->start();
}

void Server::abandonStart() {
  // No thread has started: each worker loop is run here until its closed handles are gone, then
  // the main loop the same way, so the process exits with every loop closed.
  for (auto& w : workers_) {
    w->worker->shutdown();
    uv_run(&w->loop, UV_RUN_DEFAULT);
    w->worker.reset();
    if (uv_loop_close(&w->loop) != 0) spdlog::error("worker loop still had open handles");
  }
  workers_.clear();
  if (admin_) admin_->shutdown();
  closeMain();
  uv_run(&mainLoop_, UV_RUN_DEFAULT);
  admin_.reset();
  if (uv_loop_close(&mainLoop_) != 0) spdlog::error("main loop still had open handles");
}

void Server::logListening() const {
  const auto& t = config_.timeouts;
  spdlog::info(
      "closewise {} listening on {} (workers {}){}; max-connections {} ({} per worker); "
      "header {} body {} handler {} write {} idle {} linger {}; max-header-bytes {} "
      "max-body-bytes {}; max-requests-per-connection {} max-connection-age {}; drain delay {} "
      "timeout {}; tcp-keepalive {}",
      kVersion, fmt::join(addresses_, ", "), config_.workers,
      admin_ ? "; admin on " + admin_->listeners().front()->address() : std::string("; admin off"),
      maxConnections(), connectionsPerWorker(), ms(t.header), ms(t.body), ms(t.handler),
      ms(t.write), ms(t.idle), ms(t.linger), config_.maxHeaderBytes, config_.maxBodyBytes,
      t.maxRequestsPerConnection, t.maxConnectionAge.count() ? ms(t.maxConnectionAge) : "off",
      ms(config_.drainDelay), ms(config_.drainTimeout),
      config_.tcpKeepalive.count() ? ms(config_.tcpKeepalive) : "off");
}

void Server::startWorkers() {
  for (auto& w : workers_) {
    Worker* worker = w->worker.get();
    // On the worker's thread: close its handles (and its companions') so its loop ends.
    worker->setOnFinished([worker] { worker->shutdown(); });
    const int rc = uv_thread_create(&w->thread, &Server::runWorkerThread, w.get());
    // The listeners are bound and may already have connections queued: with a worker missing
    // there is no clean way back, and its share of the connections would wait forever.
    if (rc != 0) {
      spdlog::critical("cannot start worker thread: {}", uvError("uv_thread_create", rc));
      std::abort();
    }
    w->threadStarted = true;
  }
}

void Server::runWorkerThread(void* arg) {
  auto* w = static_cast<WorkerThread*>(arg);
  uv_run(&w->loop, UV_RUN_DEFAULT);
  // The loop ran dry: every handle on it, a companion's included, has finished closing. Only
  // now is the worker done, so the process never exits with a companion's socket still open.
  Server* server = w->server;
  server->postToMain([server] { ++server->workersDone_; });
}

void Server::announceReady() {
  serving_ = true;
  if (onReady_) onReady_();
  if (predecessorPipe_ < 0) return;
  // Step 2 of the handoff: from here on the predecessor may stop accepting.
  const std::string failed = notifyPredecessor(predecessorPipe_);
  predecessorPipe_ = -1;
  if (failed.empty()) {
    spdlog::info("handoff: serving on the inherited sockets; told the predecessor (pid {})",
                 getppid());
  } else {
    spdlog::error("handoff: {}; the predecessor will keep serving too", failed);
  }
}

int Server::tearDown() {
  // A loop that still holds a handle at uv_loop_close() is a leak (of a connection, a timer, a
  // control plane's handle): the exit status says so, and the tests check it.
  int status = 0;
  for (auto& w : workers_) {
    uv_thread_join(&w->thread);
    w->threadStarted = false;
  }
  const auto total = snapshot();  // before the workers (and their books) go
  for (auto& w : workers_) {
    w->worker.reset();
    if (uv_loop_close(&w->loop) != 0) {
      spdlog::error("worker loop still had open handles at exit");
      status = 1;
    }
  }
  admin_.reset();
  if (uv_loop_close(&mainLoop_) != 0) {
    spdlog::error("main loop still had open handles at exit");
    status = 1;
  }
  const auto drainMs = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - drainStartedAt_);
  spdlog::info(
      "closewise exits: drain took {} ms; {} connections accepted, {} requests, {} reset at the "
      "drain deadline",
      drainMs.count(), total.tally.accepted, total.tally.requests,
      total.tally.closedByReason[static_cast<std::size_t>(lifecycle::CloseReason::DrainDeadline)]);
  return status;
}

void Server::requestDrain(const char* why) {
  // Runs on the main loop (signals, POST /drain).
  if (draining_.exchange(true)) {
    // A drain call (a preStop hook) followed by the orchestrator's SIGTERM is the ordinary way
    // to stop behind a balancer, so a repeated request is no reason to reset anyone.
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        drainStartedAt_ + config_.drainTimeout - std::chrono::steady_clock::now());
    spdlog::info(
        "{} during drain: the drain goes on, deadline in {} ms (SIGQUIT or a second SIGINT "
        "stops now)",
        why, std::max<std::int64_t>(0, left.count()));
    return;
  }
  drainStartedAt_ = std::chrono::steady_clock::now();
  spdlog::info("{}: drain begins; readiness now fails; delay {} ms, deadline {} ms", why,
               config_.drainDelay.count(), config_.drainTimeout.count());
  if (onDrain_) onDrain_();
  for (auto& w : workers_) w->worker->post([](Worker& worker) { worker.beginDrain(); });
}

void Server::stopNow(const char* why) {
  // Runs on the main loop. Readiness fails as for a drain, and systemd hears STOPPING=1 if it
  // has not yet; then every worker resets what it has and finishes.
  spdlog::warn("{}: stopping now; open connections are reset", why);
  if (!draining_.exchange(true)) {
    drainStartedAt_ = std::chrono::steady_clock::now();
    if (onDrain_) onDrain_();
  }
  for (auto& w : workers_) w->worker->post([](Worker& worker) { worker.stopNow(); });
}

std::string Server::watchSignals() {
  for (std::size_t i = 0; i < kSignals.size(); ++i) {
    uv_signal_t& handle = signals_[i];
    if (const int rc = uv_signal_init(&mainLoop_, &handle); rc != 0) {
      return std::string("uv_signal_init: ") + uv_err_name(rc);
    }
    ++signalsOpen_;
    handle.data = this;
    if (const int rc = uv_signal_start(&handle, &Server::onSignalThunk, kSignals[i]); rc != 0) {
      return std::string("uv_signal_start(") + strsignal(kSignals[i]) + "): " + uv_err_name(rc);
    }
  }
  return "";
}

void Server::onSignalThunk(uv_signal_t* handle, int signum) noexcept {
  static_cast<Server*>(handle->data)->onSignal(signum);
}

void Server::onSignal(int signum) {
  // What each signal means, in one place; docs/deploy.md ("Signals") is the same table.
  switch (signum) {
    case SIGTERM:
      requestDrain("SIGTERM");
      break;
    case SIGINT:
      // As in a terminal, Ctrl-C asks for a stop and Ctrl-C again insists on it.
      if (++sigints_ == 1) {
        requestDrain("SIGINT");
      } else {
        stopNow("second SIGINT");
      }
      break;
    case SIGQUIT:
      stopNow("SIGQUIT");
      break;
    case SIGHUP:
      reload();
      break;
    case SIGUSR2:
      beginHandoff();
      break;
    default:
      break;
  }
}

void Server::reload() {
  // Runs on the main loop, which owns config_; the workers get their share by post().
  const std::string file = config_.configFile;
  if (file.empty()) {
    spdlog::info("SIGHUP: no --config file; nothing to reload");
    return;
  }
  if (draining_.load()) {
    spdlog::info("SIGHUP during drain: ignored; the drain keeps the settings it began with");
    return;
  }
  if (!reloader_) {
    spdlog::error("SIGHUP: no way to read the settings again; nothing reloaded");
    return;
  }
  ReloadOutcome outcome = reloader_(config_);
  if (!outcome.error.empty()) {
    spdlog::error("SIGHUP: {} refused, the running settings stay: {}", file, outcome.error);
    return;
  }
  const auto describe = [](const settings::SettingChange& change) {
    return fmt::format("{} {} -> {}", change.name, change.before, change.after);
  };
  for (const settings::SettingChange& change : outcome.needRestart) {
    spdlog::warn("SIGHUP: {}: {} needs a restart; not applied", file, describe(change));
  }
  if (outcome.applied.empty()) {
    spdlog::info("SIGHUP: {} read again; no setting that can change live has changed", file);
    return;
  }
  config_ = std::move(outcome.config);
  spdlog::set_level(spdlog::level::from_str(config_.logLevel));
  const WorkerOptions options = workerOptions(connectionsPerWorker());
  for (auto& w : workers_) {
    w->worker->post([options](Worker& worker) { worker.reconfigure(options); });
  }
  std::vector<std::string> applied;
  for (const settings::SettingChange& change : outcome.applied) applied.push_back(describe(change));
  spdlog::info("SIGHUP: reloaded {}: {}", file, fmt::join(applied, ", "));
}

void Server::beginHandoff() {
  // Runs on the main loop.
  if (!handoffAllowed()) return;
  const std::vector<int> publicFds = publicListenerFds();
  const int adminFd = admin_ ? admin_->listeners().front()->fd() : -1;
  successor_ = std::make_unique<Successor>(&mainLoop_);
  const std::string error = successor_->start(
      commandLine_, publicFds, adminFd, [this](int pid) { onSuccessorReady(pid); },
      [this](const std::string& why) { onSuccessorFailed(why); });
  if (!error.empty()) {
    onSuccessorFailed(error);
    return;
  }
  spdlog::info("SIGUSR2: started successor pid {} on {} public sockets{}", successor_->pid(),
               publicFds.size(), adminFd >= 0 ? " and the admin socket" : "");
}

bool Server::handoffAllowed() const {
  // One handoff at a time, and never once a drain began: a draining process may already have
  // closed the listeners it would pass on.
  if (draining_.load()) {
    spdlog::warn("SIGUSR2 during drain: ignored");
    return false;
  }
  if (successor_) {
    spdlog::warn("SIGUSR2: a successor (pid {}) is already starting; ignored", successor_->pid());
    return false;
  }
  if (commandLine_.empty()) {
    spdlog::error("SIGUSR2: no command line to start a successor with; ignored");
    return false;
  }
  return true;
}

std::vector<int> Server::publicListenerFds() const {
  // Every worker's sockets: with SO_REUSEPORT each worker has its own, and a socket left behind
  // would take its share of new connections with it when we close it.
  std::vector<int> fds;
  for (const auto& w : workers_) {
    for (const auto& listener : w->worker->listeners()) fds.push_back(listener->fd());
  }
  return fds;
}

void Server::onSuccessorReady(int pid) {
  // Step 3 of the handoff.
  successorPid_ = pid;
  spdlog::info("handoff: successor pid {} is ready; closing the admin listener and draining", pid);
  // The admin socket lives on in the successor; our copy must stop taking health checks, which
  // should now see the successor's answer, not our draining 503.
  if (admin_) {
    for (const auto& listener : admin_->listeners()) listener->close();
  }
  // The public listeners close now rather than at the end of --drain-delay: the delay is there so
  // a balancer can notice the failing readiness, but here the successor already accepts from the
  // same sockets and nobody needs to notice anything. A connection we accepted during the delay
  // would only be closed as idle when it ends, perhaps with its first request on the wire.
  for (auto& w : workers_) {
    w->worker->post([](Worker& worker) {
      for (const auto& listener : worker.listeners()) listener->close();
    });
  }
  requestDrain("SIGUSR2 handoff");
}

void Server::onSuccessorFailed(const std::string& why) {
  // A bad binary or config never takes the service down: we go on serving, and a later SIGUSR2
  // may try again. The failed Successor's handles close with the main loop's.
  spdlog::error("handoff failed: {}; still serving", why);
  successor_->close();
  failedSuccessors_.push_back(std::move(successor_));
}

void Server::onWorkerDoneThunk(uv_async_t* handle) noexcept {
  static_cast<Server*>(handle->data)->onWorkerDone();
}

void Server::onWorkerDone() {
  std::vector<std::function<void()>> work;
  {
    std::lock_guard<std::mutex> lock(mainWorkMutex_);
    work.swap(mainWork_);
  }
  for (auto& fn : work) fn();
  if (workersDone_.load() == workers_.size() && !mainClosed_) {
    if (admin_) admin_->shutdown();
    closeMain();
  }
}

void Server::closeMain() {
  if (mainClosed_) return;
  mainClosed_ = true;
  // The control plane closes its handles on the main loop first; the loop then ends once every
  // handle closed here and there has finished closing.
  for (auto& hook : stoppingHooks_) hook();
  for (std::size_t i = 0; i < signalsOpen_; ++i) {
    uv_close(reinterpret_cast<uv_handle_t*>(&signals_[i]), nullptr);
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&workerDone_), nullptr);
  // The successor, if any, outlives us; only our handles on it close.
  if (successor_) successor_->close();
}

ServerSnapshot Server::snapshot() const {
  ServerSnapshot s;
  s.version = std::string(kVersion);
  s.uptimeMs = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                              std::chrono::steady_clock::now() - startedAt_)
                                              .count());
  s.draining = draining_.load();
  s.workers = static_cast<unsigned>(workers_.size());
  for (const auto& w : workers_) {
    if (!w->worker) continue;
    s.tally += w->worker->tally();
    s.responses += w->worker->responses();
    s.requests += w->worker->requestMetrics();
    s.shed += w->worker->shedConnections();
  }
  return s;
}

double Server::loopUtilization() {
  const std::uint64_t now = uv_hrtime();
  double busy = 0.0;
  std::size_t counted = 0;
  lastIdleNs_.resize(workers_.size(), 0);
  const std::uint64_t wall = now - lastUtilizationAt_;
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    // uv_metrics_idle_time takes the loop's metrics lock, so reading it from here is safe.
    const std::uint64_t idle = uv_metrics_idle_time(&workers_[i]->loop);
    if (lastUtilizationAt_ != 0 && wall > 0) {
      const double idleShare =
          static_cast<double>(idle - lastIdleNs_[i]) / static_cast<double>(wall);
      busy += std::clamp(1.0 - idleShare, 0.0, 1.0);
      ++counted;
    }
    lastIdleNs_[i] = idle;
  }
  lastUtilizationAt_ = now;
  return counted == 0 ? 0.0 : busy / static_cast<double>(counted);
}

void Server::postToMain(std::function<void()> work) {
  {
    std::lock_guard<std::mutex> lock(mainWorkMutex_);
    mainWork_.push_back(std::move(work));
  }
  uv_async_send(&workerDone_);
}

namespace {

// The kernel's view of one listed socket (TCP_INFO), inbound or a companion's, read on its
// worker's thread: the fd cannot be closed and reused while the worker is busy here.
void readKernelView(ConnectionInfo& info) {
  if (const auto tcp = info.fd >= 0 ? kernel::socketTcpInfo(info.fd) : std::nullopt) {
    info.tcpState = static_cast<int>(tcp->state);
    info.rttUs = tcp->rttMicros;
    info.unacked = tcp->unacked;
    info.retransmitsTotal = tcp->retransmitsTotal;
  }
}

// One connection as /connections lists it, read on its worker's thread.
ConnectionInfo connectionInfo(const Worker& worker, Connection& c, lifecycle::TimePoint now) {
  const auto& st = c.state();
  ConnectionInfo info;
  info.id = c.id();
  info.worker = worker.index();
  info.peer = c.peerAddress();
  info.local = kernel::localAddressOf(c.fd());
  info.phase = lifecycle::phaseName(st.phase());
  info.ageMs = static_cast<std::uint64_t>((now - st.acceptedAt()).count());
  info.idleMs = static_cast<std::uint64_t>((now - c.phaseSince()).count());
  info.requests = st.requestsStarted();
  info.bytesIn = c.bytesIn();
  info.bytesOut = c.bytesOut();
  info.peerFinSeen = st.peerFinSeen();
  if (st.peerFinSeen()) {
    info.sincePeerFinMs = static_cast<std::uint64_t>((now - st.peerFinAt()).count());
  }
  info.websocket = c.isWebSocket();
  info.wsMessagesIn = c.wsMessagesIn();
  info.wsMessagesOut = c.wsMessagesOut();
  info.fd = c.fd();
  readKernelView(info);
  return info;
}

}  // namespace

// Admin-time only: one post per worker and one ConnectionInfo per connection, per call; the
// request path never runs any of it.
void Server::listConnections(std::function<void(std::vector<ConnectionInfo>)> done) {
  struct Collector {
    std::mutex mutex;
    std::vector<ConnectionInfo> all;
    std::size_t remaining;
    std::function<void(std::vector<ConnectionInfo>)> done;
  };
  auto collector = std::make_shared<Collector>();
  collector->remaining = workers_.size();
  collector->done = std::move(done);
  if (workers_.empty()) {
    collector->done({});
    return;
  }
  // Called once per worker, from its thread (or from here for one that has finished and has no
  // connections left); the last one hands the whole list to the main loop.
  const auto add = [this, collector](std::vector<ConnectionInfo> mine) {
    std::lock_guard<std::mutex> lock(collector->mutex);
    for (auto& info : mine) collector->all.push_back(std::move(info));
    if (--collector->remaining == 0) {
      postToMain([collector] { collector->done(std::move(collector->all)); });
    }
  };
  for (auto& w : workers_) {
    const bool posted = w->worker->post([add](Worker& worker) {
      std::vector<ConnectionInfo> mine;
      const auto now = worker.now();
      worker.forEachConnection(
          [&](Connection& c) { mine.push_back(connectionInfo(worker, c, now)); });
      const std::size_t inbound = mine.size();
      worker.listCompanionConnections(mine);
      for (std::size_t i = inbound; i < mine.size(); ++i) readKernelView(mine[i]);
      add(std::move(mine));
    });
    if (!posted) add({});
  }
}

// ---- ControlSurface --------------------------------------------------------------------------

ServerSnapshot ControlSurface::snapshot() const {
  return server_.snapshot();
}
bool ControlSurface::ready() const noexcept {
  return server_.serving_.load() && !server_.draining_.load();
}
bool ControlSurface::draining() const noexcept {
  return server_.draining_.load();
}
void ControlSurface::requestDrain(const char* why) {
  server_.requestDrain(why);
}
std::vector<std::string> ControlSurface::publicAddresses() const {
  return server_.addresses_;
}
std::vector<std::uint16_t> ControlSurface::publicPorts() const {
  return server_.publicPorts();
}
int ControlSurface::listenBacklog() const noexcept {
  return Server::kBacklog;
}
void ControlSurface::listConnections(std::function<void(std::vector<ConnectionInfo>)> done) {
  server_.listConnections(std::move(done));
}
void ControlSurface::postToMain(std::function<void()> work) {
  server_.postToMain(std::move(work));
}
double ControlSurface::loopUtilization() {
  return server_.loopUtilization();
}
uv_loop_t* ControlSurface::mainLoop() noexcept {
  return &server_.mainLoop_;
}
void ControlSurface::onStopping(std::function<void()> hook) {
  server_.stoppingHooks_.push_back(std::move(hook));
}

}  // namespace closewise::server
