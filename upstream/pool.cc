#include "upstream/pool.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cassert>
#include <utility>

#include "kernel/address.h"
#include "upstream/connection.h"

namespace closewise::upstream {

using lifecycle::CloseReason;
using lifecycle::TimePoint;

namespace {

void bump(std::atomic<std::int64_t>& counter, std::int64_t delta) noexcept {
  counter.store(counter.load(std::memory_order_relaxed) + delta, std::memory_order_relaxed);
}

// What a failed connect means for the request, and the close reason that goes on the books.
struct ConnectFailure {
  ErrorKind kind;
  CloseReason reason;
};
ConnectFailure classify(int status) noexcept {
  switch (status) {
    case UV_ECONNREFUSED:
      return {ErrorKind::ConnectRefused, CloseReason::ConnectRefused};
    case UV_EADDRNOTAVAIL:
      return {ErrorKind::PortsExhausted, CloseReason::PortsExhausted};
    case UV_ETIMEDOUT:
      return {ErrorKind::ConnectTimeout, CloseReason::ConnectTimeout};
    default:
      return {ErrorKind::IoError, CloseReason::IoError};
  }
}

}  // namespace

std::string_view errorKindName(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::ConnectRefused:
      return "connect_refused";
    case ErrorKind::ConnectTimeout:
      return "connect_timeout";
    case ErrorKind::PortsExhausted:
      return "ports_exhausted";
    case ErrorKind::ResolveFailed:
      return "resolve_failed";
    case ErrorKind::QueueTimeout:
      return "queue_timeout";
    case ErrorKind::SendTimeout:
      return "send_timeout";
    case ErrorKind::ResponseTimeout:
      return "response_timeout";
    case ErrorKind::BodyTimeout:
      return "body_timeout";
    case ErrorKind::UpstreamClosed:
      return "upstream_closed";
    case ErrorKind::UpstreamReset:
      return "upstream_reset";
    case ErrorKind::ProtocolError:
      return "protocol_error";
    case ErrorKind::IoError:
      return "io_error";
    case ErrorKind::PoolClosed:
      return "pool_closed";
  }
  return "unknown";
}

int proxyStatus(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::ConnectTimeout:
    case ErrorKind::SendTimeout:
    case ErrorKind::ResponseTimeout:
    case ErrorKind::BodyTimeout:
      return 504;  // Gateway Timeout: the upstream did not answer in time
    case ErrorKind::QueueTimeout:
    case ErrorKind::PoolClosed:
      return 503;  // Service Unavailable: we had no capacity to ask; retrying later may work
    case ErrorKind::ConnectRefused:
    case ErrorKind::PortsExhausted:
    case ErrorKind::ResolveFailed:
    case ErrorKind::UpstreamClosed:
    case ErrorKind::UpstreamReset:
    case ErrorKind::ProtocolError:
    case ErrorKind::IoError:
      return 502;  // Bad Gateway: no valid response from the upstream
  }
  return 502;
}

void RequestHandle::cancel() {
  if (pool_ != nullptr) pool_->cancel(id_);
}
void RequestHandle::pause() {
  if (pool_ != nullptr) pool_->pause(id_);
}
void RequestHandle::resume() {
  if (pool_ != nullptr) pool_->resume(id_);
}
bool RequestHandle::active() const {
  return pool_ != nullptr && pool_->active(id_);
}
bool RequestHandle::write(std::string_view data) {
  return pool_ != nullptr && pool_->write(id_, data);
}
void RequestHandle::onWritable(std::function<void()> callback) {
  if (pool_ != nullptr) pool_->onWritable(id_, std::move(callback));
}
bool RequestHandle::end() {
  return pool_ != nullptr && pool_->end(id_);
}

Pool::Pool(uv_loop_t* loop, std::string name, Origin origin, PoolSettings settings)
    : loop_(loop),
      name_(std::move(name)),
      origin_(std::move(origin)),
      settings_(std::move(settings)),
      resolver_(loop, origin_, settings_.resolveMaxAge) {
  const int rc = uv_timer_init(loop_, &timer_);
  assert(rc == 0 && "uv_timer_init only fails on a bad loop");
  (void)rc;
  timer_.data = this;
}

Pool::~Pool() {
  assert(closed() && "shutdown() and run the loop before destroying a pool");
}

TimePoint Pool::now() const noexcept {
  return TimePoint{static_cast<std::int64_t>(uv_now(loop_))};
}

bool Pool::closed() const noexcept {
  return timerClosed_ && connections_.empty() && !resolver_.busy();
}

RequestHandle Pool::request(Request request, ResponseCallbacks callbacks) {
  assert(!shutdown_ && "no request after shutdown()");
  auto exchange = std::make_unique<Exchange>();
  exchange->id = nextExchangeId_++;
  exchange->request = std::move(request);
  exchange->callbacks = std::move(callbacks);
  Exchange& e = *exchange;
  exchanges_.emplace(e.id, std::move(exchange));
  // Dispatched (or refused) from the timer on the next turn of the loop: a failure must not call
  // back into a caller that has not yet got its handle.
  if (draining_) {
    refused_.push_back(&e);
  } else {
    e.queueDeadline = lifecycle::later(now(), settings_.queueTimeout);
    queue_.push_back(&e);
    bump(queued_, 1);
  }
  noteDeadline(now());
  return RequestHandle(this, e.id);
}

void Pool::noteDeadline(TimePoint deadline) {
  if (timerClosed_ || deadline >= armedFor_) return;
  armedFor_ = deadline;
  const TimePoint t = now();
  // At least one millisecond: libuv runs a timer started from a timer callback with a timeout of
  // 0 in the same pass, so a deadline that stayed in the past would spin the loop for ever.
  const auto wait = deadline > t ? static_cast<std::uint64_t>((deadline - t).count()) : 1;
  const int rc = uv_timer_start(&timer_, &Pool::onTimerThunk, wait, 0);
  assert(rc == 0 && "uv_timer_start fails only without a callback");
  (void)rc;
}

void Pool::onTimerThunk(uv_timer_t* timer) noexcept {
  static_cast<Pool*>(timer->data)->onTimer();
}

// One timer for the whole pool, armed at the earliest deadline. Firing scans the connections
// (at most maxConnections) and the queue; a deadline that moved later only costs an early wake.
void Pool::onTimer() {
  armedFor_ = TimePoint::max();
  const TimePoint t = now();
  std::vector<Connection*> expired;
  for (const auto& [raw, connection] : connections_) {
    if (!connection->closing() && connection->state().expired(t)) expired.push_back(raw);
  }
  for (Connection* connection : expired) connection->onDeadline();

  // Requests made while draining fail here, on the loop, never inside request().
  std::vector<Exchange*> refused;
  refused.swap(refused_);
  for (Exchange* e : refused) fail(*e, Error{ErrorKind::PoolClosed, "pool draining"});
  dispatch();
  for (auto it = queue_.begin(); it != queue_.end();) {
    Exchange* e = *it;
    if (e->queueDeadline <= t) {
      it = queue_.erase(it);
      bump(queued_, -1);
      fail(*e, Error{ErrorKind::QueueTimeout, "no free connection"});
    } else {
      ++it;
    }
  }

  TimePoint next = TimePoint::max();
  for (const auto& [raw, connection] : connections_) {
    if (!connection->closing()) next = std::min(next, connection->state().deadline());
  }
  for (const Exchange* e : queue_) next = std::min(next, e->queueDeadline);
  if (next != TimePoint::max()) noteDeadline(next);
}

void Pool::dispatch() {
  while (!queue_.empty() && !shutdown_) {
    if (!idle_.empty()) {
      Connection* connection = idle_.back();
      idle_.pop_back();
      Exchange* e = queue_.front();
      queue_.pop_front();
      bump(queued_, -1);
      connection->reuse(*e);
      continue;
    }
    if (connections_.size() >= settings_.maxConnections) return;
    if (addresses_.empty() || resolver_.busy()) {
      if (!resolver_.busy()) {
        resolver_.resolve([this](int status, const Resolver::Addresses& addresses) {
          if (shutdown_) return;
          if (status < 0) {
            // Every request waiting for this name fails: there is nowhere to send them.
            while (!queue_.empty()) {
              Exchange* e = queue_.front();
              queue_.pop_front();
              bump(queued_, -1);
              fail(*e, Error{ErrorKind::ResolveFailed, uv_err_name(status)});
            }
            return;
          }
          addresses_ = addresses;
          noteDeadline(now());  // dispatch again from the timer, not from inside resolve()
        });
      }
      return;
    }
    Exchange* e = queue_.front();
    queue_.pop_front();
    bump(queued_, -1);
    openFor(*e);
  }
}

void Pool::openFor(Exchange& exchange) {
  const std::size_t index = std::min(exchange.addressIndex, addresses_.size() - 1);
  auto owned = std::make_unique<Connection>(*this, nextConnectionId_++, addresses_[index]);
  Connection& connection = *owned;
  connections_.emplace(&connection, std::move(owned));
  const int rc = connection.connect(exchange);
  if (rc < 0) onConnectFailed(connection, rc);
}

void Pool::onConnected(Connection& connection) {
  const std::lock_guard lock(socketsMutex_);
  sockets_[connection.id()] = PoolSocket{connection.local(), connection.remote()};
}

void Pool::onConnectFailed(Connection& connection, int status) {
  Exchange* exchange = connection.exchange();
  const ConnectFailure failure = classify(status);
  const sockaddr_storage remote = connection.remote();
  connection.close(failure.reason);
  // An address that failed may be one the name no longer points to: look it up again next time.
  resolver_.forget();
  if (failure.kind == ErrorKind::PortsExhausted) {
    // Every new connection fails the same way until ports free up; one line a second says so
    // without flooding the log, and the request fails at once rather than spinning on connect.
    if (!lastPortsWarning_ || now() - *lastPortsWarning_ >= lifecycle::Duration{1'000}) {
      lastPortsWarning_ = now();
      spdlog::warn("upstream={} connect to {} failed: no free local port (EADDRNOTAVAIL)", name_,
                   kernel::formatSocketAddress(remote));
    }
  }
  if (exchange == nullptr) return;
  // A refused address is skipped for the next one, in the resolver's order.
  if (failure.kind == ErrorKind::ConnectRefused && exchange->addressIndex + 1 < addresses_.size()) {
    ++exchange->addressIndex;
    queue_.push_front(exchange);
    bump(queued_, 1);
    noteDeadline(now());
    return;
  }
  addresses_.clear();
  fail(*exchange, Error{failure.kind, uv_err_name(status)});
}

void Pool::onReusable(Connection& connection) {
  idle_.push_back(&connection);
  noteDeadline(connection.state().deadline());
  noteDeadline(now());  // a queued request may take it
}

void Pool::onResponseEnd(Exchange& exchange) {
  ResponseCallbacks callbacks = std::move(exchange.callbacks);
  finish(exchange);
  if (callbacks.onEnd) callbacks.onEnd();
  checkDrained();
}

void Pool::onExchangeFailed(Exchange& exchange, const Error& error, const RetryFacts& facts) {
  if (shouldRetry(facts) && !shutdown_) {
    // The keep-alive race: the upstream closed the pooled connection as we sent on it, and
    // cannot have acted on the request. Once, on a fresh connection (RFC 9112 section 9.3.1).
    exchange.retried = true;
    exchange.bodySent = false;
    bump(retries_, 1);
    queue_.push_front(&exchange);
    bump(queued_, 1);
    noteDeadline(now());
    return;
  }
  fail(exchange, error);
}

void Pool::fail(Exchange& exchange, const Error& error) {
  countError(error.kind);
  ResponseCallbacks callbacks = std::move(exchange.callbacks);
  finish(exchange);
  if (callbacks.onError) callbacks.onError(error);
  checkDrained();
}

void Pool::finish(Exchange& exchange) {
  if (exchange.connection != nullptr) exchange.connection->close(CloseReason::Cancelled);
  exchanges_.erase(exchange.id);
}

void Pool::countError(ErrorKind kind) noexcept {
  bump(errorsByKind_[static_cast<std::size_t>(kind)], 1);
}

void Pool::onConnectionClosing(Connection& connection) {
  idle_.erase(std::remove(idle_.begin(), idle_.end(), &connection), idle_.end());
  const std::lock_guard lock(socketsMutex_);
  sockets_.erase(connection.id());
}

void Pool::onConnectionClosed(Connection* connection) {
  connections_.erase(connection);
  if (!queue_.empty()) noteDeadline(now());  // a slot came free
  checkDrained();
}

void Pool::cancel(std::uint64_t id) {
  const auto it = exchanges_.find(id);
  if (it == exchanges_.end()) return;
  Exchange& exchange = *it->second;
  const auto queued = std::find(queue_.begin(), queue_.end(), &exchange);
  if (queued != queue_.end()) {
    queue_.erase(queued);
    bump(queued_, -1);
  }
  refused_.erase(std::remove(refused_.begin(), refused_.end(), &exchange), refused_.end());
  bump(cancelled_, 1);
  // Its connection closes (reason cancelled): a response read halfway cannot be pooled.
  finish(exchange);
  checkDrained();
}

void Pool::pause(std::uint64_t id) {
  const auto it = exchanges_.find(id);
  if (it == exchanges_.end()) return;
  it->second->paused = true;
  if (it->second->connection != nullptr) it->second->connection->pause();
}

void Pool::resume(std::uint64_t id) {
  const auto it = exchanges_.find(id);
  if (it == exchanges_.end()) return;
  it->second->paused = false;
  if (it->second->connection != nullptr) it->second->connection->resume();
}

bool Pool::active(std::uint64_t id) const {
  return exchanges_.count(id) != 0;
}

Exchange* Pool::streaming(std::uint64_t id) {
  const auto it = exchanges_.find(id);
  if (it == exchanges_.end() || !it->second->request.streamed || it->second->bodyEnded) {
    return nullptr;
  }
  return it->second.get();
}

bool Pool::write(std::uint64_t id, std::string_view data) {
  Exchange* exchange = streaming(id);
  if (exchange == nullptr) return false;
  const auto& length = exchange->request.streamedLength;
  if (length && data.size() > *length - exchange->bodyWritten) {
    // Past its own Content-Length the body would be read as the start of another request.
    spdlog::error("upstream={} request body written past its length {}", name_, *length);
    return false;
  }
  exchange->bodyQueue.append(data);
  exchange->bodyWritten += data.size();
  if (exchange->connection != nullptr) exchange->connection->sendBody();
  // A write that failed at once may have ended the request: look it up again.
  exchange = streaming(id);
  return exchange != nullptr && exchange->bodyQueue.size() < kBodyHighWater;
}

void Pool::onWritable(std::uint64_t id, std::function<void()> callback) {
  if (Exchange* exchange = streaming(id)) exchange->onWritable = std::move(callback);
}

bool Pool::end(std::uint64_t id) {
  Exchange* exchange = streaming(id);
  if (exchange == nullptr) return false;
  const auto& length = exchange->request.streamedLength;
  if (length && exchange->bodyWritten < *length) {
    // The head promised more: the upstream would wait for the rest, or take what comes next for
    // it. The request fails instead of going out short.
    fail(*exchange, Error{ErrorKind::IoError, "request body ended short of its length"});
    return false;
  }
  exchange->bodyEnded = true;
  if (exchange->connection != nullptr) exchange->connection->sendBody();
  return active(id);
}

void Pool::drain(std::function<void()> onDrained) {
  draining_ = true;
  onDrained_ = std::move(onDrained);
  const std::vector<Connection*> idle = idle_;
  for (Connection* connection : idle) connection->close(CloseReason::Drain);
  checkDrained();
}

void Pool::checkDrained() {
  if (!draining_ || !onDrained_ || !connections_.empty() || !exchanges_.empty()) return;
  auto done = std::move(onDrained_);
  onDrained_ = nullptr;
  done();
}

void Pool::shutdown() {
  if (shutdown_) return;
  shutdown_ = true;
  draining_ = true;
  queue_.clear();
  refused_.clear();
  queued_.store(0, std::memory_order_relaxed);
  // Connections first, so that each is on the books as closed by the drain (closing detaches
  // its request), then the requests, which learn that the pool is gone.
  std::vector<Connection*> all;
  for (const auto& [raw, connection] : connections_) all.push_back(raw);
  for (Connection* connection : all) connection->close(CloseReason::Drain);
  std::vector<Exchange*> open;
  for (const auto& [id, exchange] : exchanges_) open.push_back(exchange.get());
  for (Exchange* exchange : open) fail(*exchange, Error{ErrorKind::PoolClosed, "pool shut down"});
  resolver_.cancel();
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_),
           [](uv_handle_t* handle) { static_cast<Pool*>(handle->data)->timerClosed_ = true; });
}

PoolSnapshot Pool::snapshot() const noexcept {
  PoolSnapshot s;
  s.connections = tally_.snapshot();
  s.queued = queued_.load(std::memory_order_relaxed);
  s.retries = retries_.load(std::memory_order_relaxed);
  s.cancelled = cancelled_.load(std::memory_order_relaxed);
  for (std::size_t i = 0; i < kErrorKindCount; ++i)
    s.errorsByKind[i] = errorsByKind_[i].load(std::memory_order_relaxed);
  return s;
}

std::vector<PoolSocket> Pool::sockets() const {
  const std::lock_guard lock(socketsMutex_);
  std::vector<PoolSocket> out;
  for (const auto& [id, socket] : sockets_) out.push_back(socket);
  return out;
}

void Pool::describeConnections(std::vector<PoolConnectionView>& out) const {
  const TimePoint at = now();
  for (const auto& [key, connection] : connections_) {
    const lifecycle::OutboundState& state = connection->state();
    if (state.phase() == lifecycle::Phase::Closed) continue;  // its handle is closing
    out.push_back({.id = connection->id(),
                   .phase = state.phase(),
                   .requests = state.requests(),
                   .age = at - state.openedAt(),
                   .inPhase = at - state.phaseSince(),
                   .fd = connection->fd(),
                   .local = connection->local(),
                   .remote = connection->remote()});
  }
}

}  // namespace closewise::upstream
