// One pool per (worker loop, upstream): at most maxConnections connections to one origin, idle
// ones kept for reuse, a queue for the requests that wait for one, and the books an admin reads.
// Every method runs on the loop's thread except snapshot() and sockets(), which any thread may
// call.
#pragma once

#include <sys/socket.h>
#include <uv.h>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "lifecycle/outbound_state.h"
#include "protocol/response_parser.h"
#include "upstream/client.h"
#include "upstream/exchange.h"
#include "upstream/origin.h"
#include "upstream/retry_policy.h"

namespace closewise::upstream {

class Connection;

struct PoolSettings {
  // Connections per upstream per worker. Thirty-two keeps a worker's share of a busy upstream
  // well inside an upstream's own limits (nginx worker_connections 512, Apache MaxRequestWorkers
  // 150 per server by default) when several workers and several instances of us call it, while
  // being far more than the requests a worker has in flight to one upstream at a time.
  std::size_t maxConnections = 32;
  // Connect, response, stall and idle timeouts; see lifecycle/outbound_state.h for each default.
  lifecycle::OutboundPolicy timeouts;
  // How long a request may wait for a free connection when the pool is at its maximum. A burst
  // beyond the pool should wait, not fail: five seconds rides out a burst whose requests each
  // take a few hundred milliseconds, and still answers 503 well before a client gives up.
  lifecycle::Duration queueTimeout{5'000};
  // How long resolved addresses are trusted. Thirty seconds follows a DNS change (a failover, a
  // redeploy behind a name) quickly while costing one lookup per half minute per worker.
  lifecycle::Duration resolveMaxAge{30'000};
  protocol::ResponseLimits responseLimits;
};

// A copy of the pool's books at one moment. Plain integers, summable across workers.
struct PoolSnapshot {
  lifecycle::OutboundTallySnapshot connections;  // by phase, connects, requests, reuses, closes
  std::int64_t queued{};                         // requests waiting for a connection now
  std::int64_t retries{};                        // keep-alive race retries
  std::int64_t cancelled{};                      // requests the caller cancelled
  std::array<std::int64_t, kErrorKindCount> errorsByKind{};
};

// One of the pool's own sockets, so the admin can match sock_diag entries to the pool.
struct PoolSocket {
  sockaddr_storage local;
  sockaddr_storage remote;
};

// One of the pool's connections as /connections lists it, read on the loop's thread.
struct PoolConnectionView {
  std::uint64_t id{};  // unique within the pool
  lifecycle::Phase phase{};
  std::uint32_t requests{};  // requests started on it, the current one included
  lifecycle::Duration age{};
  lifecycle::Duration inPhase{};
  int fd = -1;  // -1 before the socket is open
  sockaddr_storage local{};
  sockaddr_storage remote{};
};

class Pool {
 public:
  Pool(uv_loop_t* loop, std::string name, Origin origin, PoolSettings settings);
  // Asserts closed(): call shutdown() and run the loop until closed() first.
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // Queues the request; it is dispatched on the next turn of the loop, so no callback ever runs
  // inside request() itself.
  RequestHandle request(Request request, ResponseCallbacks callbacks);

  // Closes the idle connections at once, lets requests already made finish (each connection
  // closes after its response instead of returning to the pool), refuses new ones (PoolClosed),
  // and calls onDrained once nothing is left.
  void drain(std::function<void()> onDrained);
  // Ends everything now: requests still open get PoolClosed, every connection and the timer are
  // closed. closed() becomes true once the loop has run their close callbacks.
  void shutdown();
  bool closed() const noexcept;
  bool draining() const noexcept { return draining_; }

  const std::string& name() const noexcept { return name_; }
  const Origin& origin() const noexcept { return origin_; }
  const PoolSettings& settings() const noexcept { return settings_; }
  uv_loop_t* loop() const noexcept { return loop_; }

  PoolSnapshot snapshot() const noexcept;
  std::vector<PoolSocket> sockets() const;
  // Appends a view of every open connection. Unlike snapshot(), on the loop's thread only: the
  // connections (and their descriptors) are the loop's, and may close under any other thread.
  void describeConnections(std::vector<PoolConnectionView>& out) const;

 private:
  friend class Connection;
  friend class RequestHandle;

  // From RequestHandle.
  void cancel(std::uint64_t id);
  void pause(std::uint64_t id);
  void resume(std::uint64_t id);
  bool active(std::uint64_t id) const;
  bool write(std::uint64_t id, std::string_view data);
  void onWritable(std::uint64_t id, std::function<void()> callback);
  bool end(std::uint64_t id);
  // The request's record if it streams its body and the caller has not ended it, else nullptr.
  Exchange* streaming(std::uint64_t id);

  // From Connection.
  lifecycle::OutboundTally& tally() noexcept { return tally_; }
  void noteDeadline(lifecycle::TimePoint deadline);
  void onConnected(Connection& connection);
  void onConnectFailed(Connection& connection, int status);
  void onResponseEnd(Exchange& exchange);
  void onReusable(Connection& connection);
  void onExchangeFailed(Exchange& exchange, const Error& error, const RetryFacts& facts);
  void onConnectionClosing(Connection& connection);
  void onConnectionClosed(Connection* connection);

  static void onTimerThunk(uv_timer_t* timer) noexcept;
  void onTimer();
  void dispatch();
  void openFor(Exchange& exchange);
  void fail(Exchange& exchange, const Error& error);
  void finish(Exchange& exchange);
  void checkDrained();
  void countError(ErrorKind kind) noexcept;
  lifecycle::TimePoint now() const noexcept;

  uv_loop_t* loop_;
  std::string name_;
  Origin origin_;
  PoolSettings settings_;
  Resolver resolver_;
  uv_timer_t timer_{};
  lifecycle::TimePoint armedFor_ = lifecycle::TimePoint::max();
  lifecycle::OutboundTally tally_;

  std::uint64_t nextExchangeId_ = 1;
  std::uint64_t nextConnectionId_ = 1;
  std::unordered_map<std::uint64_t, std::unique_ptr<Exchange>> exchanges_;
  std::deque<Exchange*> queue_;
  std::vector<Exchange*> refused_;  // made while draining; failed on the next timer turn
  std::unordered_map<Connection*, std::unique_ptr<Connection>> connections_;
  std::vector<Connection*> idle_;  // most recently used last; reuse takes the last
  Resolver::Addresses addresses_;
  bool draining_ = false;
  bool shutdown_ = false;
  bool timerClosed_ = false;
  std::function<void()> onDrained_;
  std::optional<lifecycle::TimePoint> lastPortsWarning_;  // none yet

  // Single writer (the loop), relaxed atomics, as lifecycle::Tally.
  std::atomic<std::int64_t> queued_{0};
  std::atomic<std::int64_t> retries_{0};
  std::atomic<std::int64_t> cancelled_{0};
  std::array<std::atomic<std::int64_t>, kErrorKindCount> errorsByKind_{};
  // Written on connect and close only (rare), read by the admin: a mutex is simpler than a
  // lock-free list and costs nothing on the request path.
  mutable std::mutex socketsMutex_;
  std::unordered_map<std::uint64_t, PoolSocket> sockets_;
};

}  // namespace closewise::upstream
