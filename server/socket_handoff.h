// Zero-downtime restart of one process: on SIGUSR2 the running process (the predecessor) starts
// its own binary again (the successor) and hands it its listening sockets, as nginx's binary
// upgrade does. The sockets are the same kernel objects in both processes, so the accept queue
// is shared and no connect is ever refused or lost: until the predecessor closes its copies,
// either process may accept a queued connection, and after that only the successor does.
//
// The protocol, step by step:
//
//   1. The predecessor spawns argv[0] with its own arguments, any --inherit-fds removed and
//      "--inherit-fds 3,4,..." added. Child fds 3.. are its public listening sockets, every
//      worker's (with --workers N each worker has its own SO_REUSEPORT socket, and every one of
//      them must keep being accepted from, or the kernel would hash connections into a queue
//      nobody reads). Then, if the admin listener is on, its socket, named by
//      CLOSEWISE_ADMIN_FD. Last, the write end of a pipe, named by CLOSEWISE_READY_FD.
//   2. The successor adopts the sockets (inherited sockets are spread over its workers, see
//      assignToWorkers), starts its workers and writes "READY=1\n" to the pipe.
//   3. Only then does the predecessor close its admin listener, so health checks reach the
//      successor from now on, and drain exactly as on SIGTERM. If the successor exits or closes
//      the pipe without READY, the predecessor logs why and goes on serving: a bad binary or
//      config never takes the service down.
//
// The admin socket is handed over rather than closed and re-bound because a re-bind would leave
// a gap in which a balancer's health check is refused, and with port 0 (tests) the successor could
// not even know the port.
#pragma once

#include <uv.h>

#include <functional>
#include <string>
#include <vector>

namespace closewise::server {

inline constexpr const char* kReadyFdEnv = "CLOSEWISE_READY_FD";
inline constexpr const char* kAdminFdEnv = "CLOSEWISE_ADMIN_FD";

// What a successor finds in its environment (and removes from it, so that its own successor
// does not inherit stale numbers). -1 when absent.
struct HandoffEnvironment {
  int readyFd = -1;
  int adminFd = -1;
  std::string error;  // non-empty: a variable held something other than a file descriptor
};
// Call once, before any thread starts (unsetenv is not thread-safe).
HandoffEnvironment takeHandoffEnvironment();

// The successor's half of step 2. Closes readyFd. Returns "" or what failed.
std::string notifyPredecessor(int readyFd);

// The successor's command line: `argv` without any --inherit-fds (either form), plus
// "--inherit-fds" and the child's fd numbers joined by commas.
std::vector<std::string> successorArguments(const std::vector<std::string>& argv,
                                            const std::vector<int>& childFds);

// One socket a worker adopts. `duplicate` says another worker adopts the same fd too, so this
// worker must adopt a dup() of it: each worker closes what it adopted when it drains.
struct WorkerSocket {
  int fd = -1;
  bool duplicate = false;
  friend bool operator==(const WorkerSocket&, const WorkerSocket&) = default;
};

// Spreads inherited listening sockets over `workers` workers. `groups` holds the fds bound to
// the same address together (in --inherit-fds order). Within a group, socket j goes to worker
// j % workers, so every socket is accepted from; when a group has fewer sockets than workers
// (systemd passes one socket per address), the remaining workers share them, socket i % size,
// as duplicates. Every worker thus listens on every address, whatever the predecessor's or
// systemd's worker count was.
std::vector<std::vector<WorkerSocket>> assignToWorkers(const std::vector<std::vector<int>>& groups,
                                                       unsigned workers);

// Checks that each fd is a listening TCP socket and groups them by bound address (first-seen
// order). On failure returns no groups and sets *error.
std::vector<std::vector<int>> groupByAddress(const std::vector<int>& fds, std::string* error);

// The predecessor's half: the child process and the read end of its ready pipe, on the main
// loop. Handles are members and never move; close() them and let the loop run before the
// object goes.
class Successor {
 public:
  using OnReady = std::function<void(int pid)>;
  using OnFailed = std::function<void(const std::string& why)>;

  explicit Successor(uv_loop_t* loop) noexcept;
  ~Successor();
  Successor(const Successor&) = delete;
  Successor& operator=(const Successor&) = delete;

  // Step 1. `argv` is this process's command line (argv[0] is the binary, as nginx re-executes
  // it, so an upgrade picks up a new binary installed at the same path). Returns "" or what
  // failed; on success exactly one of onReady / onFailed is called later.
  std::string start(const std::vector<std::string>& argv, const std::vector<int>& publicFds,
                    int adminFd, OnReady onReady, OnFailed onFailed);
  int pid() const noexcept { return process_.pid; }
  // Closes the pipe and the process handle. The child is not signalled: once it took over it
  // outlives us.
  void close();

 private:
  struct ChildSetup;
  std::string openReadyPipe(ChildSetup& child);
  std::string spawn(const std::vector<std::string>& args, ChildSetup& child);
  std::string listenForReady();
  static void onExitThunk(uv_process_t* process, int64_t status, int signal) noexcept;
  static void onAllocThunk(uv_handle_t* handle, size_t suggested, uv_buf_t* buf) noexcept;
  static void onReadThunk(uv_stream_t* stream, ssize_t n, const uv_buf_t* buf) noexcept;
  void onExit(int64_t status, int signal);
  void onRead(ssize_t n, const uv_buf_t* buf);
  void fail(const std::string& why);

  uv_loop_t* loop_;
  uv_process_t process_{};
  uv_pipe_t pipe_{};
  bool processStarted_ = false;
  bool pipeOpen_ = false;
  bool settled_ = false;  // onReady or onFailed has been called
  bool ready_ = false;    // it was onReady
  std::string received_;
  char buffer_[64] = {};
  OnReady onReady_;
  OnFailed onFailed_;
};

}  // namespace closewise::server
