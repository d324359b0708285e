// A worker: one libuv loop with its listeners and connections.
//
// The worker owns the per-loop things every connection shares: the read buffer (a connection
// owns no read buffer while idle), the Date header cache, the pool of idle Exchanges (request
// parser and pending input), the books (lifecycle::Tally) and one timer for every deadline of
// every connection.
//
// Deadlines, h2o style: each connection sits in the list of its current deadline kind (header,
// body, handler, write, idle, linger). All entries of a list get the same timeout and are pushed
// at the tail when their deadline is set, so each list is ordered by deadline and the timer only
// looks at list heads. Re-arming a deadline on progress is an unlink and a push: O(1), no heap.
// A reload that changes a timeout keeps it so by counting every listed deadline again with the
// new timeout (reconfigure()).
//
// Threading: everything here runs on the worker's loop thread. Other threads reach a worker only
// through post() (a uv_async_t) and read its books through atomics (lifecycle::Tally).
#pragma once

#include <uv.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "lifecycle/drain_controller.h"
#include "lifecycle/phase.h"
#include "lifecycle/tally.h"
#include "lifecycle/timeout_policy.h"
#include "protocol/http_date.h"
#include "protocol/limits.h"
#include "protocol/request_parser.h"
#include "server/deadline_kind.h"
#include "server/intrusive_list.h"
#include "server/listener.h"
#include "server/request_metrics.h"
#include "server/router.h"
#include "server/slab_pool.h"
#include "server/worker_companion.h"

namespace closewise::server {

class Connection;
struct Exchange;

// Whether this is an AddressSanitizer build (GCC's -fsanitize=address defines the macro; clang
// answers __has_feature).
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kAddressSanitizer = true;
#else
inline constexpr bool kAddressSanitizer = false;
#endif
#else
inline constexpr bool kAddressSanitizer = false;
#endif

struct WorkerOptions {
  std::string name = "public";  // for logs: "public" or "admin"
  struct Endpoint {
    std::string host;
    std::uint16_t port = 0;
    int inheritedFd = -1;  // >= 0: adopt this listening socket instead of binding
  };
  std::vector<Endpoint> listen;
  bool reusePort = false;
  int backlog = 511;
  protocol::Limits limits;
  lifecycle::TimeoutPolicy timeouts;
  std::chrono::milliseconds drainDelay{0};
  std::chrono::milliseconds drainTimeout{30'000};
  std::size_t maxConnections = 1024;
  // Connections above maxConnections still get their 503 and a lingering close, up to this many
  // at once; beyond that they are reset, because an fd is worth more than one 503.
  std::size_t overloadSlack = 64;
  // At maxConnections, make room for the newcomer by closing the connection that has waited
  // longest on its client (idle between requests, a request still arriving, an answer not being
  // read, or a lingering close), reason overload, instead of answering the newcomer 503. Only a
  // connection whose handler is at work keeps its slot. This is for the admin listener, where a
  // liveness probe must get an answer however many connections others hold open (nginx does the
  // same with its reusable connections, ngx_drain_connections); the public listener keeps
  // refusing newcomers, whose requests are worth no more than those already being served.
  bool evictAtLimit = false;
  std::chrono::milliseconds tcpKeepalive{0};
  bool accessLog = false;
  // A WebSocket message (all its fragments) at most; a larger one fails the connection with
  // 1009 as soon as a frame header announces it (--ws-max-message-bytes).
  std::size_t wsMaxMessageBytes = 1024 * 1024;
};

// Responses by class, 1xx..5xx. Single writer (the worker), any reader.
struct ResponseCounts {
  std::array<std::int64_t, 5> byClass{};
  ResponseCounts& operator+=(const ResponseCounts& other) noexcept {
    for (std::size_t i = 0; i < byClass.size(); ++i) byClass[i] += other.byClass[i];
    return *this;
  }
};

class Worker {
 public:
  Worker(uv_loop_t* loop, const Router& router, WorkerOptions options, unsigned index);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Binds (or adopts) every listener and starts accepting. Returns "" or a message naming the
  // address that failed. Call on the loop thread (or before the loop thread starts).
  std::string start();
  const std::vector<std::unique_ptr<Listener>>& listeners() const noexcept { return listeners_; }
  // Adds a companion (worker_companion.h): drained when the listeners close, closed by
  // shutdown(). Call before start().
  void addCompanion(WorkerCompanion companion);
  // Appends every companion's connections to `out` (WorkerCompanion::listConnections), each
  // marked with this worker's index. On the loop thread.
  void listCompanionConnections(std::vector<ConnectionInfo>& out) const;

  // Graceful drain (lifecycle::DrainController): readiness is the caller's; here the listeners
  // close when the delay ends, idle connections close, busy ones finish with Connection: close,
  // the rest are reset at the deadline. onFinished runs once when nothing is left.
  void beginDrain();
  // Stop at once (SIGQUIT, a second SIGINT): reset every connection now and finish.
  void stopNow();
  // New settings from a reload (SIGHUP), on the loop thread. Timeouts apply to every deadline at
  // once, each counted again from its own start; limits to every request parsed from here on;
  // drain times to a drain not yet begun. The listeners keep what start() opened them with.
  void reconfigure(WorkerOptions options);
  // Closes every handle, the companions' too (tests, and the end of a drain), so the loop can end.
  void shutdown();
  void setOnFinished(std::function<void()> onFinished) { onFinished_ = std::move(onFinished); }
  bool finished() const noexcept { return finished_; }
  bool draining() const noexcept;

  // Thread-safe: runs fn on this worker's loop thread. Returns false (and drops fn) once the
  // worker has shut down.
  bool post(std::function<void(Worker&)> fn);

  // Books, readable from any thread.
  lifecycle::TallySnapshot tally() const noexcept { return tally_.snapshot(); }
  ResponseCounts responses() const noexcept;
  RequestMetricsSnapshot requestMetrics() const noexcept { return requestMetrics_.snapshot(); }
  // Connections accepted and closed at once because the process was out of descriptors.
  std::uint64_t shedConnections() const noexcept {
    return shedConnections_.load(std::memory_order_relaxed);
  }

  unsigned index() const noexcept { return index_; }
  uv_loop_t* loop() const noexcept { return loop_; }
  const WorkerOptions& options() const noexcept { return options_; }
  const std::string& name() const noexcept { return options_.name; }

  // For connections.
  lifecycle::TimePoint now() const noexcept { return lifecycle::TimePoint(uv_now(loop_)); }
  lifecycle::Tally& tallyBook() noexcept { return tally_; }
  const Router& router() const noexcept { return router_; }
  std::string_view date();
  uv_buf_t readBuffer() noexcept { return uv_buf_init(readBuffer_.get(), kReadBufferSize); }
  // The output buffer connections compose responses in: lent while a response is being written
  // and given back once it is (so keep-alive exchanges allocate nothing for it), and kept only up
  // to kMaxSpareOutput.
  void borrowOutput(std::string& into) noexcept {
    if (into.capacity() < spareOutput_.capacity()) into.swap(spareOutput_);
  }
  void recycleOutput(std::string& buffer) noexcept {
    buffer.clear();
    if (buffer.capacity() > kMaxSpareOutput) freedLargeBuffers_ += buffer.capacity();
    if (buffer.capacity() > spareOutput_.capacity() && buffer.capacity() <= kMaxSpareOutput) {
      buffer.swap(spareOutput_);
    }
    std::string().swap(buffer);
  }
  // Parsers with their pending-input buffers, pooled (kMaxPooledExchanges at most) so that a
  // connection holds one only while a request is in progress. The Request a handler was given
  // lives in its Exchange, so an Exchange back in the pool may soon hold another client's
  // request. Without the pool (kPoolsExchanges false) each one is freed here instead.
  std::unique_ptr<Exchange> acquireExchange();
  void releaseExchange(std::unique_ptr<Exchange> exchange) noexcept;
  // In an AddressSanitizer build every Exchange is freed when its exchange ends, so that a
  // handler reading its Request after that reads freed memory, and ASan stops the process with a
  // report naming the read and the free, where a pooled Exchange would quietly hand it another
  // client's request (docs/handler-api.md, "Lifetime rules"). The pool only saves allocations.
  static constexpr bool kPoolsExchanges = !kAddressSanitizer;
  bool keepAliveAllowed() const noexcept { return drain_.keepAliveAllowed(); }
  void countResponse(int status) noexcept;
  // One exchange at its end, for the request-duration and response-size histograms.
  void recordExchange(std::string_view method, int status, double seconds,
                      std::uint64_t bytes) noexcept {
    requestMetrics_.record(method, status, seconds, bytes);
  }
  // Called after every lifecycle verb: files the connection under its current deadline.
  void schedule(Connection& connection) noexcept;
  void unschedule(Connection& connection) noexcept;
  // The connection's handle is closed; the worker frees it.
  void release(Connection* connection) noexcept;
  std::uint64_t nextConnectionId() noexcept { return nextId_++; }

  // Visits every open connection (the admin's /connections, drain, shutdown).
  template <typename Fn>
  void forEachConnection(Fn&& fn);
  // Visits the connections filed under one deadline kind (the drain's idle sweep).
  template <typename Fn>
  void forEachListed(DeadlineKind kind, Fn&& fn);

  static constexpr std::size_t kReadBufferSize = 64 * 1024;
  static constexpr std::size_t kMaxSpareOutput = 64 * 1024;
  // A connection answered less than this long ago when the drain closes idle connections is
  // probably about to carry its client's next request: closing it now would race that request
  // (the keep-alive race: the client sees our FIN after it sent, and the request is lost). It
  // gets this long; a request in that window is answered with Connection: close.
  static constexpr std::chrono::milliseconds kDrainIdleGrace{250};
  static constexpr std::uint64_t kHalfClosedProbeMs = 500;

 private:
  static void onTimerThunk(uv_timer_t* timer) noexcept;
  static void onProbeThunk(uv_timer_t* timer) noexcept;
  void probeHalfClosed();
  void trimHeap() noexcept;
  static void onAsyncThunk(uv_async_t* async) noexcept;
  void onConnection(Listener& listener, int fdOrError);
  void evictLongestWaiting();
  void onShed(Listener& listener, int error, std::size_t closed);
  void reportShed();
  void onTimer();
  void onAsync();
  void armTimer() noexcept;
  void rebaseDeadlines(const lifecycle::TimeoutPolicy& before) noexcept;
  void advanceDrain();
  void closeListeners();
  void closeIdleForDrain();
  void closeWebSocketsForDrain();
  std::size_t resetAll(lifecycle::CloseReason reason);  // returns how many got an RST
  void finish();
  std::string openHandles();

  uv_loop_t* loop_;
  const Router& router_;
  WorkerOptions options_;
  unsigned index_;
  std::vector<std::unique_ptr<Listener>> listeners_;
  std::vector<WorkerCompanion> companions_;
  uv_timer_t timer_{};
  // After the peer's FIN libuv stops reading, so a half-closed connection whose peer then resets
  // would go unnoticed until its handler answers. This timer asks the kernel about those few
  // connections twice a second (and costs one counter read when there are none).
  uv_timer_t probeTimer_{};
  uv_async_t async_{};
  lifecycle::TimePoint armedAt_ = lifecycle::TimePoint::max();
  std::array<HookList, kDeadlineKinds> lists_;  // indexed by DeadlineKind
  HookList& list(DeadlineKind kind) noexcept { return lists_[static_cast<std::size_t>(kind)]; }
  lifecycle::Tally tally_;
  std::array<std::atomic<std::int64_t>, 5> responses_{};
  RequestMetrics requestMetrics_;
  lifecycle::DrainController drain_;
  std::unique_ptr<char[]> readBuffer_;
  protocol::DateCache dateCache_;
  std::vector<std::unique_ptr<Exchange>> exchangePool_;
  std::uint32_t exchangeGeneration_ = 0;  // reconfigure() counts; see Exchange::generation
  SlabPool<Connection, 64> connectionPool_;
  std::string spareOutput_;
  // Bytes of large output buffers (answers composed whole) freed since the heap was last trimmed.
  std::size_t freedLargeBuffers_ = 0;
  std::function<void()> onFinished_;
  std::mutex postMutex_;
  std::vector<std::function<void(Worker&)>> posted_;
  std::uint64_t nextId_ = 1;
  std::uint64_t drainedConnections_ = 0;  // open when the drain began, for its log lines
  std::size_t overloadLingering_ = 0;
  std::atomic<std::uint64_t> shedConnections_{0};  // single writer: this worker's thread
  // A flood at the fd limit sheds (or fails to accept) on every wakeup; the log says so at most
  // once a second, with the count since its last line.
  struct LogThrottle {
    std::uint64_t pending = 0;  // events since the last line
    std::uint64_t lastMs = 0;
    bool logged = false;  // a line has been written before
    bool due(std::uint64_t nowMs) const noexcept {
      return pending > 0 && (!logged || nowMs - lastMs >= 1000);
    }
    // The count for the line about to be written.
    std::uint64_t take(std::uint64_t nowMs) noexcept {
      const std::uint64_t count = pending;
      pending = 0;
      lastMs = nowMs;
      logged = true;
      return count;
    }
  };
  LogThrottle shedLog_;
  LogThrottle acceptErrorLog_;  // accept errors that shedding could not cure
  std::string shedWhere_;
  int shedError_ = 0;
  std::string initError_;  // what openHandles() reported, for start() to return
  bool started_ = false;
  bool shutdown_ = false;
  bool asyncClosed_ = false;  // guarded by postMutex_
  bool finished_ = false;
  std::chrono::steady_clock::time_point drainStartedWall_{};
  // When the next drain sweep closes connections that were too recently busy the last time.
  lifecycle::TimePoint drainSweepAt_ = lifecycle::TimePoint::max();

  friend class Connection;
};

}  // namespace closewise::server

#include "server/connection.h"

namespace closewise::server {

template <typename Fn>
void Worker::forEachConnection(Fn&& fn) {
  // Collect first: fn may close a connection, which unlinks it from the list being walked.
  std::vector<Connection*> all;
  for (auto& list : lists_) {
    for (ListHook* hook = list.first(); hook != list.end(); hook = hook->next) {
      all.push_back(Connection::fromHook(hook));
    }
  }
  for (Connection* connection : all) fn(*connection);
}

template <typename Fn>
void Worker::forEachListed(DeadlineKind kind, Fn&& fn) {
  // Collect first, as above: fn may close a connection and so unlink it.
  std::vector<Connection*> listed;
  HookList& hooks = list(kind);
  for (ListHook* hook = hooks.first(); hook != hooks.end(); hook = hook->next) {
    listed.push_back(Connection::fromHook(hook));
  }
  for (Connection* connection : listed) fn(*connection);
}

}  // namespace closewise::server
