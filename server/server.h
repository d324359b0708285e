// The whole server: N workers, each a loop on its own thread with its own listeners, plus the
// main loop, which owns the signals and the admin listener.
//
// Keeping the admin listener and the signals off the workers' loops means a slow /stats (a
// kernel query) never stalls a connection, and the admin view stays up through a drain until
// the process exits, so the drain can be watched.
//
// Drain: on SIGTERM/SIGINT or POST /drain, readiness turns false at once; each worker keeps serving
// for --drain-delay, then closes its listeners and its idle connections and answers the rest with
// Connection: close; --drain-timeout (counted from the first signal) resets what is left. Another
// SIGTERM or POST /drain changes nothing: the usual stop behind a balancer is a drain call (a
// preStop hook) followed by SIGTERM, and the drain must run to its end. Stopping at once takes an
// explicit request: SIGQUIT, or a second SIGINT (Ctrl-C twice in a terminal). When every worker is
// done the process exits 0 with a one-line summary.
// docs/deploy.md ("Signals") is the table of every signal.
//
// SIGHUP reads the --config file again (with the same command line on top): the settings that can
// change live go to every worker, the others are logged as needing a restart, a bad file is
// refused and nothing changes (server/config.h, reloadConfig).
//
// Restart without a refused connect, two ways (docs/deploy.md): systemd socket activation (the
// sockets outlive the process) and SIGUSR2, which starts a successor process on the same
// sockets and drains this one once it is ready (server/socket_handoff.h).
#pragma once

#include <signal.h>
#include <uv.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "lifecycle/tally.h"
#include "server/config.h"
#include "server/control_surface.h"
#include "server/router.h"
#include "server/socket_handoff.h"
#include "server/worker.h"
#include "server/worker_companion.h"

namespace closewise::server {

class Server {
 public:
  explicit Server(Config config);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  Router& publicRouter() noexcept { return publicRouter_; }
  Router& adminRouter() noexcept { return adminRouter_; }
  const Config& config() const noexcept { return config_; }

  // Binds, serves until drained, returns the process exit code. Call once, from main.
  int run();

  // What the admin listener (or any control plane) may see and do; see control_surface.h.
  ControlSurface& control() noexcept { return control_; }
  // The bound public ports, known once run() bound them.
  std::vector<std::uint16_t> publicPorts() const { return ports_; }
  // The backlog passed to listen(2) for the public listeners.
  static constexpr int kBacklog = 511;
  // Called once the listeners are bound and the workers run (systemd's READY=1 goes here).
  void setOnReady(std::function<void()> fn) { onReady_ = std::move(fn); }
  void setOnDrain(std::function<void()> fn) { onDrain_ = std::move(fn); }
  // Gives every public worker a companion made by `make` (worker_companion.h). Call before run().
  void addWorkerCompanion(WorkerCompanionFactory make) {
    companionFactories_.push_back(std::move(make));
  }

  // Handoff (SIGUSR2) and reload (SIGHUP). The command line to start the successor with, and to
  // read again on a reload; argv[0] is the binary. Without it both are refused with a log line.
  void setCommandLine(std::vector<std::string> argv) { commandLine_ = std::move(argv); }
  // Set by main from the environment: the admin listening socket to adopt instead of binding
  // --admin (a predecessor's or systemd's), and the pipe on which to tell a predecessor we are
  // ready. -1 when absent.
  void setInheritedAdminFd(int fd) noexcept { inheritedAdminFd_ = fd; }
  // Where the admin listener binds when no socket was inherited; nullopt (the default): no admin
  // listener. The admin module owns the setting (--admin); the program passes it here.
  void setAdminAddress(std::optional<ListenAddress> address) { adminAddress_ = std::move(address); }
  // Reads the settings again for SIGHUP: given the running ones, returns them with the live
  // changes applied (server/config.h). The program sets it, since it alone knows where the
  // settings come from; without one, SIGHUP is refused with a log line.
  using Reloader = std::function<ReloadOutcome(const Config& running)>;
  void setReloader(Reloader reloader) { reloader_ = std::move(reloader); }
  // systemd's listening sockets (LISTEN_FDS), served when --inherit-fds names none. They stay
  // out of config(), which holds what the command line and the file say, so that a reload
  // compares like with like.
  void setActivatedFds(std::vector<int> fds) { activatedFds_ = std::move(fds); }
  void setPredecessorPipe(int fd) noexcept { predecessorPipe_ = fd; }
  // True once a successor said it is ready: the drain that follows is a handoff, not a stop
  // (systemd must not hear STOPPING=1). Main loop only.
  bool handedOver() const noexcept { return successorPid_ != 0; }
  int successorPid() const noexcept { return successorPid_; }

 private:
  // The control plane's view forwards to the members below; they are private so that admin code
  // reaches the server through that view alone.
  friend class ControlSurface;

  // run(), in its four parts: bind everything, start the workers, wait (uv_run), tear down.
  std::string openMainLoop();
  std::string bindAll();
  std::string bindAdminListener();
  void abandonStart();
  void logListening() const;
  void startWorkers();
  static void runWorkerThread(void* arg);
  void announceReady();
  int tearDown();

  static void onSignalThunk(uv_signal_t* handle, int signum) noexcept;
  static void onWorkerDoneThunk(uv_async_t* handle) noexcept;
  std::string watchSignals();
  void onSignal(int signum);
  void requestDrain(const char* why);
  void stopNow(const char* why);
  void reload();
  // --max-connections, or what RLIMIT_NOFILE allows, and each worker's share of it.
  std::size_t maxConnections() const;
  std::size_t connectionsPerWorker() const;
  void onWorkerDone();
  void postToMain(std::function<void()> work);
  std::string buildWorkers(unsigned n, std::size_t perWorker);
  std::string shareInheritedSockets(unsigned n,
                                    std::vector<std::vector<WorkerSocket>>* shares) const;
  static std::string openWorkerLoop(uv_loop_t* loop, unsigned index);
  static std::string adoptShare(const std::vector<WorkerSocket>& share, WorkerOptions* options);
  const std::vector<int>& inheritedFds() const noexcept {
    return config_.inheritFds.empty() ? activatedFds_ : config_.inheritFds;
  }
  void closeMain();
  WorkerOptions workerOptions(std::size_t maxConnectionsPerWorker) const;

  // SIGUSR2, in its steps (socket_handoff.h).
  void beginHandoff();
  bool handoffAllowed() const;
  std::vector<int> publicListenerFds() const;
  void onSuccessorReady(int pid);
  void onSuccessorFailed(const std::string& why);

  // What the control surface reads; see control_surface.h for each.
  ServerSnapshot snapshot() const;
  void listConnections(std::function<void(std::vector<ConnectionInfo>)> done);
  double loopUtilization();

  struct WorkerThread {
    Server* server = nullptr;
    uv_loop_t loop{};
    std::unique_ptr<Worker> worker;
    uv_thread_t thread{};
    bool threadStarted = false;
  };

  Config config_;
  Router publicRouter_;
  Router adminRouter_;
  uv_loop_t mainLoop_{};
  // The signals the main loop handles, in the order of docs/deploy.md's table; onSignal() says
  // what each one does.
  static constexpr std::array<int, 5> kSignals{SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR2};
  std::array<uv_signal_t, kSignals.size()> signals_{};
  std::size_t signalsOpen_ = 0;  // handles of signals_ initialised; closeMain() closes those
  unsigned sigints_ = 0;         // SIGINTs received: the second one stops at once
  // Wakes the main loop for mainWork_ (postToMain): a worker finished, or a walk came back.
  uv_async_t workerDone_{};
  std::mutex mainWorkMutex_;
  std::vector<std::function<void()>> mainWork_;
  std::vector<std::unique_ptr<WorkerThread>> workers_;
  std::unique_ptr<Worker> admin_;
  std::atomic<bool> serving_{false};
  std::atomic<bool> draining_{false};
  std::atomic<unsigned> workersDone_{0};
  std::chrono::steady_clock::time_point startedAt_;
  std::chrono::steady_clock::time_point drainStartedAt_;
  std::function<void()> onReady_;
  std::function<void()> onDrain_;
  std::vector<WorkerCompanionFactory> companionFactories_;
  // Called by closeMain(), before it closes the main loop's handles (ControlSurface::onStopping).
  std::vector<std::function<void()>> stoppingHooks_;
  ControlSurface control_{*this};
  std::vector<std::string> addresses_;
  std::vector<std::uint16_t> ports_;
  bool mainClosed_ = false;
  int mainLoopInit_ = 0;  // uv_loop_init's result for mainLoop_, reported by run()
  std::vector<std::uint64_t> lastIdleNs_;
  std::uint64_t lastUtilizationAt_ = 0;
  std::vector<std::string> commandLine_;
  Reloader reloader_;
  std::optional<ListenAddress> adminAddress_;
  std::vector<int> activatedFds_;
  int inheritedAdminFd_ = -1;
  int predecessorPipe_ = -1;
  // The successor being started, and earlier ones that failed. Their handles are closed with
  // the main loop's; the objects go with the Server, after the loop has let go of them.
  std::unique_ptr<Successor> successor_;
  std::vector<std::unique_ptr<Successor>> failedSuccessors_;
  int successorPid_ = 0;
};

// The default --max-connections: RLIMIT_NOFILE minus a reserve for the listeners, the admin
// view, logs and the fds libuv keeps (its EMFILE spare, epoll, the async pipe).
std::size_t defaultMaxConnections(unsigned workers);

}  // namespace closewise::server
