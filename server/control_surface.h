// What a control plane may see of a running Server and do to it: the admin listener's routes and
// alerts reach the server through this and nothing else, so a fork can replace the admin view,
// or add its own, without learning the server's insides.
//
// Threads: everything here is called on the main loop (the loop the admin listener runs on),
// except postToMain(), which any thread may call. The server calls back on the main loop too:
// listConnections()'s `done` and the onStopping() hooks run there, so a control plane needs no
// lock of its own.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "lifecycle/tally.h"
#include "server/connection_info.h"
#include "server/worker.h"

namespace closewise::server {

class Server;

// The server's books at one moment. Every field is summed across workers.
struct ServerSnapshot {
  std::string version;
  std::uint64_t uptimeMs = 0;
  bool draining = false;
  unsigned workers = 0;
  lifecycle::TallySnapshot tally;
  ResponseCounts responses;
  RequestMetricsSnapshot requests;  // the duration and size histograms
  std::uint64_t shed = 0;  // connections closed on arrival because the process was out of fds
};

// A view of one Server, handed out by Server::control(); it lives as long as the Server.
class ControlSurface {
 public:
  explicit ControlSurface(Server& server) noexcept : server_(server) {}
  ControlSurface(const ControlSurface&) = delete;
  ControlSurface& operator=(const ControlSurface&) = delete;

  // The books, read now: O(1) per worker, whatever the number of connections.
  ServerSnapshot snapshot() const;
  // Readiness: true once the listeners are bound and the workers run, false again from the moment
  // a drain begins.
  bool ready() const noexcept;
  bool draining() const noexcept;
  // Begins the graceful drain; once one has begun, logs that it goes on and changes nothing.
  void requestDrain(const char* why);

  // The bound public addresses ("127.0.0.1:8080") and their ports; empty until run() bound them.
  std::vector<std::string> publicAddresses() const;
  std::vector<std::uint16_t> publicPorts() const;
  // The backlog the public listeners passed to listen(2), for a kernel view that cannot read it
  // (procfs reports 0).
  int listenBacklog() const noexcept;

  // Visits every open connection on its own worker's thread (where its fd cannot be closed and
  // reused under the visit) and calls `done` on the main loop with all of them. It costs one post
  // per worker and one ConnectionInfo per connection: for looking at a problem, not for polling.
  void listConnections(std::function<void(std::vector<ConnectionInfo>)> done);
  // Runs `work` on the main loop, from any thread. A lock and a std::function per call: for
  // control-plane work, never per request.
  void postToMain(std::function<void()> work);
  // Share of wall time the worker loops spent busy (not waiting in epoll) since the previous call,
  // averaged over workers: 0.0 to 1.0. Each call starts a new interval, so one caller samples it.
  double loopUtilization();

  // The main loop, for the control plane's own handles (a timer, a listener of its own). Each
  // one must be closed in an onStopping() hook: run() requires uv_loop_close() to succeed.
  uv_loop_t* mainLoop() noexcept;
  // `hook` runs once, on the main loop, when the server is about to close the main loop's own
  // handles: every worker has finished, or start-up failed. The loop ends after the handles the
  // hooks close have closed.
  void onStopping(std::function<void()> hook);

 private:
  Server& server_;
};

}  // namespace closewise::server
