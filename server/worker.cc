#include "server/worker.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cassert>
#include <ctime>

#include "kernel/address.h"
#include "server/connection.h"
#include "server/uv_error.h"

namespace closewise::server {

using lifecycle::CloseReason;
using lifecycle::TimePoint;

namespace {

// The deadline list a connection belongs in, by the reason its deadline would close it. A
// WebSocket's heartbeat has one reason and two timeouts (a ping due, a pong overdue), so two
// lists, each ordered.
DeadlineKind deadlineKind(const lifecycle::ConnectionState& state) noexcept {
  switch (state.deadlineReason()) {
    case CloseReason::HeaderTimeout:
      return DeadlineKind::Header;
    case CloseReason::BodyTimeout:
      return DeadlineKind::Body;
    case CloseReason::HandlerTimeout:
      return DeadlineKind::Handler;
    case CloseReason::WriteTimeout:
      return DeadlineKind::Write;
    case CloseReason::IdleTimeout:
      return DeadlineKind::Idle;
    case CloseReason::LingerTimeout:
      return DeadlineKind::Linger;
    case CloseReason::WsPingTimeout:
      return state.pingOutstanding() ? DeadlineKind::WsPong : DeadlineKind::WsPing;
    case CloseReason::WsCloseTimeout:
      return DeadlineKind::WsClose;
    default:
      return DeadlineKind::None;
  }
}

// The linger list is the one whose entries do not all get the same timeout (a per-read limit
// inside a total one), so it is scanned whole; it only holds connections that are closing. Every
// other list is ordered by deadline, and only its head is looked at.
bool orderedByDeadline(DeadlineKind kind) noexcept {
  return kind != DeadlineKind::Linger;
}

// Exchanges (parser and pending input) kept for reuse beyond those in use. Each parser keeps the
// capacity of the strings of its last request, so reuse saves the allocations of the next one. An
// exchange is in use only while a request is being read or handled, so a few dozen cover a busy
// loop; more would only be memory kept after a burst of slow requests.
constexpr std::size_t kMaxPooledExchanges = 64;
constexpr std::size_t kMaxPooledPendingInput = 4 * 1024;

// A handle whose init succeeded knows its loop (uv_handle_t::loop, public and read-only); a member
// handle whose init failed is still zeroed, and must not be closed.
void closeIfOpened(uv_handle_t* handle) noexcept {
  if (handle->loop != nullptr && !uv_is_closing(handle)) uv_close(handle, nullptr);
}

}  // namespace

Worker::Worker(uv_loop_t* loop, const Router& router, WorkerOptions options, unsigned index)
    : loop_(loop),
      router_(router),
      options_(std::move(options)),
      index_(index),
      drain_(options_.drainDelay, options_.drainTimeout),
      readBuffer_(new char[kReadBufferSize]) {
  // A constructor cannot report, so what failed waits for start(). On a loop that uv_loop_init
  // opened neither call fails today (the loop's eventfd exists already), but a handle whose init
  // failed must not be closed later as if it had opened.
  initError_ = openHandles();
}

std::string Worker::openHandles() {
  for (uv_timer_t* timer : {&timer_, &probeTimer_}) {
    if (const int rc = uv_timer_init(loop_, timer); rc != 0) {
      return uvError(options_.name + " worker: uv_timer_init", rc);
    }
    timer->data = this;
  }
  if (const int rc = uv_async_init(loop_, &async_, &Worker::onAsyncThunk); rc != 0) {
    asyncClosed_ = true;  // so post() refuses rather than send on a handle that never opened
    return uvError(options_.name + " worker: uv_async_init", rc);
  }
  async_.data = this;
  return "";
}

Worker::~Worker() {
  // Every handle must have been closed (shutdown() and a loop run) before the worker goes.
  assert(shutdown_ || !started_);
}

std::string Worker::start() {
  started_ = true;
  if (!initError_.empty()) return initError_;
  const int probe =
      uv_timer_start(&probeTimer_, &Worker::onProbeThunk, kHalfClosedProbeMs, kHalfClosedProbeMs);
  if (probe != 0) return options_.name + " worker: uv_timer_start: " + uv_err_name(probe);
  // The probe alone must not keep the loop alive.
  uv_unref(reinterpret_cast<uv_handle_t*>(&probeTimer_));
  for (const auto& endpoint : options_.listen) {
    AcceptedSocketOptions accepted;
    accepted.keepalive = options_.tcpKeepalive;
    auto listener = std::make_unique<Listener>(
        loop_, [this](Listener& l, int status) { onConnection(l, status); }, accepted);
    listener->onShed(
        [this](Listener& l, int error, std::size_t closed) { onShed(l, error, closed); });
    int rc = endpoint.inheritedFd >= 0 ? listener->adopt(endpoint.inheritedFd, options_.backlog)
                                       : listener->bind(endpoint.host, endpoint.port,
                                                        options_.reusePort, options_.backlog);
    std::string where = endpoint.inheritedFd >= 0
                            ? "inherited fd " + std::to_string(endpoint.inheritedFd)
                            : kernel::formatHostPort(endpoint.host, endpoint.port);
    if (rc != 0) {
      std::string error = options_.name + " listener " + where + ": " + listener->errorText();
      listeners_.push_back(std::move(listener));
      return error;
    }
    listeners_.push_back(std::move(listener));
  }
  return {};
}

void Worker::addCompanion(WorkerCompanion companion) {
  assert(!started_ && "companions are added before the worker accepts");
  companions_.push_back(std::move(companion));
}

void Worker::listCompanionConnections(std::vector<ConnectionInfo>& out) const {
  for (const auto& companion : companions_) {
    if (!companion.listConnections) continue;
    const std::size_t first = out.size();
    companion.listConnections(out);
    for (std::size_t i = first; i < out.size(); ++i) out[i].worker = index_;
  }
}

void Worker::onShed(Listener& listener, int error, std::size_t closed) {
  shedConnections_.store(shedConnections_.load(std::memory_order_relaxed) + closed,
                         std::memory_order_relaxed);
  shedLog_.pending += closed;
  shedWhere_ = listener.address();
  shedError_ = error;
  reportShed();
}

void Worker::reportShed() {
  // The clients see their connection closed without an answer; this line is how an operator
  // learns why. At most one line a second; the probe timer writes what a burst left unsaid.
  const std::uint64_t nowMs = uv_now(loop_);
  if (!shedLog_.due(nowMs)) return;
  const bool again = shedLog_.logged;
  const std::uint64_t closed = shedLog_.take(nowMs);
  spdlog::warn("{} listener {}: out of file descriptors ({}): closed {} connection{} on arrival{}",
               options_.name, shedWhere_, uv_err_name(shedError_), closed, closed == 1 ? "" : "s",
               again ? " since the last report" : "");
}

void Worker::onConnection(Listener& listener, int fdOrError) {
  if (fdOrError < 0) {
    // EMFILE/ENFILE: the listener accepts and closes the pending connections with its reserve
    // fd (onShed), so it does not spin, and tells us here only if even that failed; it then
    // pauses accepting for Listener::kRetryMs and tries again. We log, at most once a second,
    // and go on; accepting resumes by itself as soon as fds free up.
    const std::uint64_t nowMs = uv_now(loop_);
    ++acceptErrorLog_.pending;
    if (!acceptErrorLog_.due(nowMs)) return;
    const std::uint64_t times = acceptErrorLog_.take(nowMs);
    spdlog::warn(
        "{} listener {}: accept: {} ({}){}", options_.name, listener.address(),
        uv_err_name(fdOrError), uv_strerror(fdOrError),
        times > 1 ? fmt::format("; {} times since the last report", times) : std::string());
    return;
  }
  if (shutdown_) {
    ::close(fdOrError);
    return;
  }
  if (options_.evictAtLimit) evictLongestWaiting();
  const auto open = static_cast<std::size_t>(tally_.snapshot().open);
  auto* connection = new (connectionPool_.allocate()) Connection(*this, nextConnectionId());
  const std::uint64_t id = connection->id();
  if (connection->accept(fdOrError) != 0) {
    SPDLOG_DEBUG("conn={} accept failed", id);
    return;  // the connection is closing (or already freed) itself
  }
  if (open >= options_.maxConnections) {
    // A 503 is followed by a lingering close, which holds the fd for up to --linger-timeout; at
    // most overloadSlack of those at once, counted from here until release(). Beyond that the
    // connection is reset, which frees its fd at once and is never counted.
    const bool reset = overloadLingering_ >= options_.overloadSlack;
    if (!reset) {
      ++overloadLingering_;
      connection->overloadCounted_ = true;
    }
    spdlog::info("conn={} over --max-connections ({}): {}", id, options_.maxConnections,
                 reset ? "reset" : "503");
    connection->rejectOverload(reset);
  }
}

void Worker::evictLongestWaiting() {
  if (static_cast<std::size_t>(tally_.snapshot().open) < options_.maxConnections) return;
  // A connection waits on its client when the next step is the client's: a request (idle), the
  // rest of one (reading), taking our answer (writing), or its FIN (closing). While a handler
  // works (processing, half_closed) the step is ours, and that request is not given up. The
  // connection in its phase longest goes: a slow-head or trickling client never leaves reading.
  // A walk of every connection, which is fine at the admin listener's few dozen.
  Connection* victim = nullptr;
  forEachConnection([&victim](Connection& connection) {
    const lifecycle::Phase phase = connection.state().phase();
    const bool waitsOnClient =
        phase == lifecycle::Phase::Idle || phase == lifecycle::Phase::Reading ||
        phase == lifecycle::Phase::Writing || phase == lifecycle::Phase::Closing;
    if (!waitsOnClient || connection.handleClosing_) return;
    if (victim == nullptr || connection.phaseSince() < victim->phaseSince()) victim = &connection;
  });
  if (victim == nullptr) return;  // every slot has a handler at work: the newcomer gets the 503
  spdlog::info(
      "conn={} closed to make room on the {} listener ({} connections) reason=overload "
      "phase={} for {} ms",
      victim->id(), options_.name, options_.maxConnections,
      lifecycle::phaseName(victim->state().phase()), (now() - victim->phaseSince()).count());
  // An answer the client is not reading is reset, as at the write timeout: a FIN would wait
  // behind bytes that may never be taken. Anything else closes at once; our FIN, or the
  // kernel's RST if input was left unread, both free the slot now.
  const bool writing = victim->state().phase() == lifecycle::Phase::Writing;
  victim->close(CloseReason::Overload,
                writing ? lifecycle::CloseMode::Reset : lifecycle::CloseMode::Immediate);
}

// ---- Deadlines -------------------------------------------------------------------------------

void Worker::schedule(Connection& connection) noexcept {
  const auto& state = connection.state();
  const DeadlineKind kind = deadlineKind(state);
  const TimePoint deadline = state.deadline();
  if (kind == DeadlineKind::None) {
    unschedule(connection);
    return;
  }
  if (connection.listedKind_ == kind && connection.listedDeadline_ == deadline) return;
  HookList& into = list(kind);
  connection.hook_.unlink();
  if (orderedByDeadline(kind)) {
    // Nearly every deadline is now plus the list's one timeout, the latest in its list, and goes
    // at the tail at once. A WebSocket's heartbeat counts from the last byte received, not from
    // now, so when it becomes the earlier of its deadlines again (its queued output was taken)
    // it may be due before others: it goes back to its place, so the head stays the earliest.
    ListHook* at = into.last();
    while (at != into.end() && Connection::fromHook(at)->listedDeadline_ > deadline) at = at->prev;
    into.insertAfter(connection.hook_, *at);
  } else {
    into.pushBack(connection.hook_);
  }
  connection.listedKind_ = kind;
  connection.listedDeadline_ = deadline;
  if (deadline < armedAt_) armTimer();
}

void Worker::unschedule(Connection& connection) noexcept {
  connection.hook_.unlink();
  connection.listedKind_ = DeadlineKind::None;
}

void Worker::armTimer() noexcept {
  TimePoint next = TimePoint::max();
  for (std::size_t index = 0; index < kDeadlineKinds; ++index) {
    auto& list = lists_[index];
    if (list.empty()) continue;
    if (orderedByDeadline(static_cast<DeadlineKind>(index))) {
      next = std::min(next, Connection::fromHook(list.front())->listedDeadline_);
      continue;
    }
    for (ListHook* hook = list.first(); hook != list.end(); hook = hook->next) {
      next = std::min(next, Connection::fromHook(hook)->listedDeadline_);
    }
  }
  if (drain_.stage() == lifecycle::DrainController::Stage::Delaying ||
      drain_.stage() == lifecycle::DrainController::Stage::Draining) {
    next = std::min(next, drain_.nextWakeup());
    next = std::min(next, drainSweepAt_);
  }
  armedAt_ = next;
  if (next == TimePoint::max()) {
    uv_timer_stop(&timer_);
    return;
  }
  const TimePoint current = now();
  const auto delay = next > current ? (next - current).count() : 0;
  const int rc =
      uv_timer_start(&timer_, &Worker::onTimerThunk, static_cast<std::uint64_t>(delay), 0);
  if (rc != 0) {
    // Only a closing timer refuses, and it closes only in shutdown(), after which nothing arms
    // it; were it to happen, no deadline would fire again, so it is logged loudly.
    spdlog::error("{} worker {}: uv_timer_start: {}", options_.name, index_, uv_err_name(rc));
  }
}

void Worker::onTimerThunk(uv_timer_t* timer) noexcept {
  static_cast<Worker*>(timer->data)->onTimer();
}

void Worker::onTimer() {
  armedAt_ = TimePoint::max();
  const TimePoint current = now();
  std::vector<Connection*> expired;
  for (std::size_t index = 0; index < kDeadlineKinds; ++index) {
    auto& list = lists_[index];
    const bool ordered = orderedByDeadline(static_cast<DeadlineKind>(index));
    for (ListHook* hook = list.first(); hook != list.end(); hook = hook->next) {
      Connection* connection = Connection::fromHook(hook);
      if (connection->listedDeadline_ > current) {
        if (!ordered) continue;
        break;  // the rest are later
      }
      expired.push_back(connection);
    }
  }
  for (Connection* connection : expired) {
    // Unfile first so a deadline that did not actually pass (progress re-armed it) is filed
    // again at its new place by schedule().
    unschedule(*connection);
    connection->onDeadline(current);
    if (connection->state().phase() != lifecycle::Phase::Closed && !connection->hook_.linked()) {
      schedule(*connection);
    }
  }
  if (current >= drainSweepAt_ && !finished_) closeIdleForDrain();
  advanceDrain();
  if (!shutdown_) armTimer();
}

void Worker::onProbeThunk(uv_timer_t* timer) noexcept {
  auto* self = static_cast<Worker*>(timer->data);
  self->probeHalfClosed();
  self->trimHeap();
  self->reportShed();
}

void Worker::trimHeap() noexcept {
  // An answer composed whole (a large send(), such as /echo's) is written from one large buffer;
  // when many of them have ended, the allocator keeps the freed memory for later, and the process
  // stays at its peak with none of them left. Once enough large buffers have been freed, hand the
  // free pages back to the kernel. Twice a second at most, and only then.
  constexpr std::size_t kTrimAfterBytes = 8 * 1024 * 1024;
  if (freedLargeBuffers_ < kTrimAfterBytes) return;
  freedLargeBuffers_ = 0;
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

void Worker::probeHalfClosed() {
  if (tally_.snapshot().byPhase[static_cast<std::size_t>(lifecycle::Phase::HalfClosed)] == 0)
    return;
  forEachConnection([](Connection& connection) { connection.probePeerGone(); });
}

// ---- Drain -----------------------------------------------------------------------------------

bool Worker::draining() const noexcept {
  return drain_.stage() != lifecycle::DrainController::Stage::Serving;
}

void Worker::beginDrain() {
  if (shutdown_) return;
  if (drain_.begin(now()) == lifecycle::DrainController::BeginResult::AlreadyDraining) return;
  drainStartedWall_ = std::chrono::steady_clock::now();
  drainedConnections_ = static_cast<std::uint64_t>(tally_.snapshot().open);
  spdlog::info("{} worker {}: drain begins ({} connections open; delay {} ms, deadline {} ms)",
               options_.name, index_, drainedConnections_, options_.drainDelay.count(),
               options_.drainTimeout.count());
  advanceDrain();
  armTimer();
}

void Worker::advanceDrain() {
  if (!draining() || finished_) return;
  const auto open = static_cast<std::size_t>(tally_.snapshot().open);
  const auto actions = drain_.advance(now(), open);
  if (actions.closeListeners) {
    closeListeners();
    // Not at the start of the delay: until it ends the worker serves as before, and a request
    // that needs a companion (an upstream pool) must find it taking work.
    for (auto& companion : companions_) {
      if (companion.drain) companion.drain();
    }
  }
  if (actions.closeIdle) {
    closeIdleForDrain();
    closeWebSocketsForDrain();
  }
  if (actions.resetRemaining) {
    const std::size_t reset = resetAll(CloseReason::DrainDeadline);
    spdlog::warn("{} worker {}: drain deadline: reset {} connections", options_.name, index_,
                 reset);
  }
  if (actions.exit) finish();
}

void Worker::closeListeners() {
  for (auto& listener : listeners_) listener->close();
}

void Worker::closeIdleForDrain() {
  const TimePoint current = now();
  std::size_t closed = 0;
  drainSweepAt_ = TimePoint::max();
  // As h2o walks its idle list: a connection with nothing in flight is either connected and
  // silent (in the header list, among those whose head is arriving) or idle between requests
  // (the idle list); the other lists are not looked at.
  const auto closeIfQuiet = [&](Connection& connection) {
    if (!connection.isIdle()) return;
    const TimePoint quietSince = connection.phaseSince();
    if (current - quietSince >= kDrainIdleGrace) {
      connection.close(CloseReason::Drain, lifecycle::CloseMode::Graceful);
      ++closed;
    } else {
      drainSweepAt_ = std::min(drainSweepAt_, quietSince + kDrainIdleGrace);
    }
  };
  forEachListed(DeadlineKind::Header, closeIfQuiet);
  forEachListed(DeadlineKind::Idle, closeIfQuiet);
  SPDLOG_DEBUG("{} worker {}: drain closed {} idle connections", options_.name, index_, closed);
}

void Worker::closeWebSocketsForDrain() {
  // Every open WebSocket is told 1001 Going Away (RFC 6455 section 7.4.1) and runs its close
  // handshake within the drain deadline; what is left at the deadline is reset with the rest.
  // Once, when the delay ends: those are the lists an open WebSocket is filed under.
  std::size_t closed = 0;
  const auto goAway = [&](Connection& connection) {
    if (connection.state().phase() != lifecycle::Phase::WebSocket) return;
    connection.close(CloseReason::Drain, lifecycle::CloseMode::Graceful);
    ++closed;
  };
  forEachListed(DeadlineKind::WsPing, goAway);
  forEachListed(DeadlineKind::WsPong, goAway);
  forEachListed(DeadlineKind::Write, goAway);
  SPDLOG_DEBUG("{} worker {}: drain sent going-away to {} websockets", options_.name, index_,
               closed);
}

std::size_t Worker::resetAll(CloseReason reason) {
  // Connections whose FIN is already out (lingering) are closed without an RST: the reset
  // would only destroy an answer they have been sent. Only true resets are counted.
  std::size_t reset = 0;
  forEachConnection([&](Connection& connection) {
    if (connection.resetsOnClose()) ++reset;
    connection.close(reason, lifecycle::CloseMode::Reset);
  });
  return reset;
}

void Worker::stopNow() {
  if (finished_) return;
  closeListeners();
  const std::size_t reset = resetAll(CloseReason::DrainDeadline);
  spdlog::warn("{} worker {}: stopping now; reset {} connections", options_.name, index_, reset);
  finish();
}

void Worker::reconfigure(WorkerOptions options) {
  if (shutdown_) return;
  // The listeners were opened from these, and a change of them takes a restart.
  options.listen = std::move(options_.listen);
  const lifecycle::TimeoutPolicy before = options_.timeouts;
  // In place: every ConnectionState refers to options_.timeouts.
  options_ = std::move(options);
  // Parsers copy their limits, so an exchange made before now is not used again: the pooled ones
  // go at once, those in use when they come back (releaseExchange() checks the generation).
  ++exchangeGeneration_;
  exchangePool_.clear();
  if (!draining()) drain_ = lifecycle::DrainController(options_.drainDelay, options_.drainTimeout);
  rebaseDeadlines(before);
  armTimer();
}

void Worker::rebaseDeadlines(const lifecycle::TimeoutPolicy& before) noexcept {
  // A list stays ordered by deadline only while all its entries share one timeout (see the
  // header): entries filed after a shortening would sit behind earlier ones with later deadlines,
  // and the timer walk stops at the first entry not yet due. So every entry is counted again
  // from its own start with the new timeout; a list moves as one and keeps its order.
  for (auto& list : lists_) {
    for (ListHook* hook = list.first(); hook != list.end(); hook = hook->next) {
      Connection* connection = Connection::fromHook(hook);
      connection->state_.rebaseDeadline(before);
      connection->listedDeadline_ = connection->state_.deadline();
    }
  }
}

void Worker::finish() {
  if (finished_) return;
  finished_ = true;
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - drainStartedWall_);
  if (drainStartedWall_ != std::chrono::steady_clock::time_point{}) {
    spdlog::info("{} worker {}: drained {} connections in {} ms", options_.name, index_,
                 drainedConnections_, elapsed.count());
  }
  if (onFinished_) onFinished_();
}

void Worker::shutdown() {
  if (shutdown_) return;
  shutdown_ = true;
  closeListeners();
  resetAll(CloseReason::ServerClose);
  // After the connections: a handler cancelled by their reset gives up its companion's work
  // (an upstream request) before the companion closes.
  for (auto& companion : companions_) {
    if (companion.close) companion.close();
  }
  closeIfOpened(reinterpret_cast<uv_handle_t*>(&timer_));
  closeIfOpened(reinterpret_cast<uv_handle_t*>(&probeTimer_));
  std::lock_guard<std::mutex> lock(postMutex_);
  asyncClosed_ = true;
  closeIfOpened(reinterpret_cast<uv_handle_t*>(&async_));
}

void Worker::release(Connection* connection) noexcept {
  if (connection == nullptr) return;
  if (connection->overloadCounted_) {
    assert(overloadLingering_ > 0);
    --overloadLingering_;
  }
  connection->~Connection();
  connectionPool_.deallocate(connection);
  if (draining()) advanceDrain();
}

// ---- Cross-thread ----------------------------------------------------------------------------

bool Worker::post(std::function<void(Worker&)> fn) {
  // The send happens under the same lock that shutdown() takes to close the async handle, so a
  // post never touches a closed handle.
  std::lock_guard<std::mutex> lock(postMutex_);
  if (asyncClosed_) return false;
  posted_.push_back(std::move(fn));
  uv_async_send(&async_);
  return true;
}

void Worker::onAsyncThunk(uv_async_t* async) noexcept {
  static_cast<Worker*>(async->data)->onAsync();
}

void Worker::onAsync() {
  std::vector<std::function<void(Worker&)>> work;
  {
    std::lock_guard<std::mutex> lock(postMutex_);
    work.swap(posted_);
  }
  for (auto& fn : work) fn(*this);
}

// ---- Shared per-loop things ------------------------------------------------------------------

std::string_view Worker::date() {
  return dateCache_.get(std::time(nullptr));
}

std::unique_ptr<Exchange> Worker::acquireExchange() {
  if (exchangePool_.empty()) {
    auto exchange = std::make_unique<Exchange>(options_.limits);
    exchange->generation = exchangeGeneration_;
    return exchange;
  }
  auto exchange = std::move(exchangePool_.back());
  exchangePool_.pop_back();
  return exchange;
}

void Worker::releaseExchange(std::unique_ptr<Exchange> exchange) noexcept {
  if (!exchange || exchange->generation != exchangeGeneration_) return;  // made before a reload
  assert(exchange->responder == nullptr);
  if (!kPoolsExchanges || exchangePool_.size() >= kMaxPooledExchanges) return;  // freed here
  exchange->parser.reset();
  // Pipelined input rarely needs more than a few requests' worth; a buffer grown past that by
  // one client is not kept for everyone.
  if (exchange->pending.capacity() > kMaxPooledPendingInput) {
    std::string().swap(exchange->pending);
  } else {
    exchange->pending.clear();
  }
  exchangePool_.push_back(std::move(exchange));
}

void Worker::countResponse(int status) noexcept {
  const int cls = status / 100;
  if (cls < 1 || cls > 5) return;
  auto& counter = responses_[static_cast<std::size_t>(cls - 1)];
  // Single writer: a plain load and store, no locked instruction on the hot path.
  counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

ResponseCounts Worker::responses() const noexcept {
  ResponseCounts counts;
  for (std::size_t i = 0; i < counts.byClass.size(); ++i) {
    counts.byClass[i] = responses_[i].load(std::memory_order_relaxed);
  }
  return counts;
}

}  // namespace closewise::server
