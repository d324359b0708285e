#include "server/socket_handoff.h"

#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string_view>

#include "kernel/address.h"

extern char** environ;

namespace closewise::server {

namespace {

// Reads and removes one fd-valued variable. Returns -1 when absent.
int takeFdVariable(const char* name, std::string* error) {
  const char* value = std::getenv(name);
  if (value == nullptr) return -1;
  const std::string_view text(value);
  int fd = -1;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), fd);
  unsetenv(name);
  if (ec != std::errc{} || end != text.data() + text.size() || fd < 3) {
    *error = std::string(name) + " must be a file descriptor number of 3 or more, got \"" +
             std::string(text) + "\"";
    return -1;
  }
  return fd;
}

bool isHandoffVariable(std::string_view entry) {
  for (std::string_view name : {"LISTEN_PID=", "LISTEN_FDS=", "LISTEN_FDNAMES=",
                                "CLOSEWISE_READY_FD=", "CLOSEWISE_ADMIN_FD="}) {
    if (entry.starts_with(name)) return true;
  }
  return false;
}

}  // namespace

HandoffEnvironment takeHandoffEnvironment() {
  HandoffEnvironment env;
  env.readyFd = takeFdVariable(kReadyFdEnv, &env.error);
  env.adminFd = takeFdVariable(kAdminFdEnv, &env.error);
  return env;
}

std::string notifyPredecessor(int readyFd) {
  static constexpr std::string_view kReady = "READY=1\n";
  std::string error;
  ssize_t n = -1;
  do {
    n = write(readyFd, kReady.data(), kReady.size());
  } while (n < 0 && errno == EINTR);
  // A pipe write this small is atomic: it is all written or not at all.
  if (n != static_cast<ssize_t>(kReady.size())) {
    error = std::string("write to the predecessor's pipe: ") + std::strerror(errno);
  }
  ::close(readyFd);
  return error;
}

std::vector<std::string> successorArguments(const std::vector<std::string>& argv,
                                            const std::vector<int>& childFds) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    // The predecessor's own inherited fds mean nothing in the child: its fds are renumbered.
    if (i > 0 && argv[i] == "--inherit-fds") {
      ++i;  // and its value
      continue;
    }
    if (i > 0 && argv[i].starts_with("--inherit-fds=")) continue;
    out.push_back(argv[i]);
  }
  if (!childFds.empty()) {
    std::string list;
    for (int fd : childFds) {
      if (!list.empty()) list += ',';
      list += std::to_string(fd);
    }
    out.push_back("--inherit-fds");
    out.push_back(list);
  }
  return out;
}

std::vector<std::vector<WorkerSocket>> assignToWorkers(const std::vector<std::vector<int>>& groups,
                                                       unsigned workers) {
  std::vector<std::vector<WorkerSocket>> out(workers);
  if (workers == 0) return out;
  for (const auto& group : groups) {
    if (group.empty()) continue;
    // Every socket gets a worker; a worker may get several sockets of one address when the
    // predecessor had more workers than we do.
    for (std::size_t j = 0; j < group.size(); ++j) {
      out[j % workers].push_back({group[j], false});
    }
    // Workers left without a socket for this address share one.
    for (std::size_t w = group.size(); w < workers; ++w) {
      out[w].push_back({group[w % group.size()], true});
    }
  }
  return out;
}

std::vector<std::vector<int>> groupByAddress(const std::vector<int>& fds, std::string* error) {
  std::vector<std::vector<int>> groups;
  std::map<std::string, std::size_t> index;
  for (int fd : fds) {
    int type = 0;
    int listening = 0;
    socklen_t len = sizeof type;
    sockaddr_storage ss{};
    socklen_t ssLen = sizeof ss;
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_STREAM ||
        (len = sizeof listening, getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len)) !=
            0 ||
        listening == 0 || getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &ssLen) != 0 ||
        (ss.ss_family != AF_INET && ss.ss_family != AF_INET6)) {
      *error = "inherited fd " + std::to_string(fd) + " is not a listening TCP socket";
      return {};
    }
    const std::string key = kernel::formatSocketAddress(ss);
    const auto [it, added] = index.emplace(key, groups.size());
    if (added) groups.emplace_back();
    groups[it->second].push_back(fd);
  }
  return groups;
}

// ---- Successor -------------------------------------------------------------------------------

Successor::Successor(uv_loop_t* loop) noexcept : loop_(loop) {
  process_.data = this;
  pipe_.data = this;
}

Successor::~Successor() {
  // Both handles' memory is ours: they must be closed before we go (Server keeps us until its
  // loop has been closed).
  assert(!processStarted_ || uv_is_closing(reinterpret_cast<uv_handle_t*>(&process_)));
  assert(!pipeOpen_ || uv_is_closing(reinterpret_cast<uv_handle_t*>(&pipe_)));
}

// The child's side of step 1: its fd table (0-2 as ours, then the public sockets, the admin
// socket, the ready pipe) and its environment, which names the last two.
struct Successor::ChildSetup {
  std::vector<uv_stdio_container_t> stdio;
  std::vector<int> publicFds;  // the public sockets' numbers in the child, for --inherit-fds
  std::vector<std::string> env;

  // uv_spawn dup2()s each into place, which clears FD_CLOEXEC on the copy; every other fd of ours
  // (connections, epoll, libuv's internals) is close-on-exec and does not leak.
  int inherit(int fd) {
    uv_stdio_container_t c{};
    c.flags = UV_INHERIT_FD;
    c.data.fd = fd;
    stdio.push_back(c);
    return static_cast<int>(stdio.size()) - 1;
  }
};

namespace {

// The predecessor's own handoff and activation variables mean nothing to the child: its fds are
// renumbered, and it is told its own.
std::vector<std::string> environmentWithoutHandoff() {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    if (!isHandoffVariable(*e)) env.emplace_back(*e);
  }
  return env;
}

// What execve wants: pointers into `strings`, then a null. `strings` must outlive the result.
std::vector<char*> nullTerminated(const std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (const auto& text : strings) pointers.push_back(const_cast<char*>(text.c_str()));
  pointers.push_back(nullptr);
  return pointers;
}

}  // namespace

std::string Successor::start(const std::vector<std::string>& argv,
                             const std::vector<int>& publicFds, int adminFd, OnReady onReady,
                             OnFailed onFailed) {
  onReady_ = std::move(onReady);
  onFailed_ = std::move(onFailed);
  ChildSetup child;
  child.env = environmentWithoutHandoff();
  for (int fd : {0, 1, 2}) child.inherit(fd);
  for (int fd : publicFds) child.publicFds.push_back(child.inherit(fd));
  if (adminFd >= 0) {
    child.env.push_back(std::string(kAdminFdEnv) + "=" + std::to_string(child.inherit(adminFd)));
  }
  if (std::string error = openReadyPipe(child); !error.empty()) return error;
  if (std::string error = spawn(successorArguments(argv, child.publicFds), child); !error.empty()) {
    return error;
  }
  return listenForReady();
}

std::string Successor::openReadyPipe(ChildSetup& child) {
  if (const int rc = uv_pipe_init(loop_, &pipe_, 0); rc != 0) {
    return std::string("uv_pipe_init: ") + uv_err_name(rc);
  }
  pipeOpen_ = true;
  child.env.push_back(std::string(kReadyFdEnv) + "=" + std::to_string(child.stdio.size()));
  uv_stdio_container_t c{};
  // Writable from the child's side.
  c.flags = static_cast<uv_stdio_flags>(UV_CREATE_PIPE | UV_WRITABLE_PIPE);
  c.data.stream = reinterpret_cast<uv_stream_t*>(&pipe_);
  child.stdio.push_back(c);
  return "";
}

std::string Successor::spawn(const std::vector<std::string>& args, ChildSetup& child) {
  std::vector<char*> argp = nullTerminated(args);
  std::vector<char*> envp = nullTerminated(child.env);
  uv_process_options_t options{};
  options.exit_cb = &Successor::onExitThunk;
  options.file = argp.front();
  options.args = argp.data();
  options.env = envp.data();
  options.stdio_count = static_cast<int>(child.stdio.size());
  options.stdio = child.stdio.data();
  const int rc = uv_spawn(loop_, &process_, &options);
  // Even a failed uv_spawn leaves the handle initialized; it must be closed like a started one.
  processStarted_ = true;
  if (rc == 0) return "";
  settled_ = true;
  return std::string("spawn ") + args.front() + ": " + uv_err_name(rc) + " (" + uv_strerror(rc) +
         ")";
}

std::string Successor::listenForReady() {
  const int rc = uv_read_start(reinterpret_cast<uv_stream_t*>(&pipe_), &Successor::onAllocThunk,
                               &Successor::onReadThunk);
  if (rc == 0) return "";
  // The child is running but we cannot hear it: it must not take over half-way.
  uv_process_kill(&process_, SIGTERM);
  settled_ = true;
  return std::string("uv_read_start on the ready pipe: ") + uv_err_name(rc);
}

void Successor::close() {
  if (pipeOpen_ && !uv_is_closing(reinterpret_cast<uv_handle_t*>(&pipe_))) {
    uv_close(reinterpret_cast<uv_handle_t*>(&pipe_), nullptr);
  }
  if (processStarted_ && !uv_is_closing(reinterpret_cast<uv_handle_t*>(&process_))) {
    uv_close(reinterpret_cast<uv_handle_t*>(&process_), nullptr);
  }
}

void Successor::fail(const std::string& why) {
  if (settled_) return;
  settled_ = true;
  if (onFailed_) onFailed_(why);
}

void Successor::onExitThunk(uv_process_t* process, int64_t status, int signal) noexcept {
  static_cast<Successor*>(process->data)->onExit(status, signal);
}

void Successor::onExit(int64_t status, int signal) {
  const std::string how = signal != 0 ? "killed by signal " + std::to_string(signal)
                                      : "exited with status " + std::to_string(status);
  if (!settled_) {
    fail("successor pid " + std::to_string(process_.pid) + " " + how + " before it was ready");
  } else if (ready_) {
    // It took over and then died: nobody may be accepting once our listeners close.
    spdlog::error("handoff: successor pid {} {} after taking over", process_.pid, how);
  } else {
    spdlog::warn("handoff: successor pid {} {}", process_.pid, how);
  }
  close();
}

void Successor::onAllocThunk(uv_handle_t* handle, size_t, uv_buf_t* buf) noexcept {
  auto* self = static_cast<Successor*>(handle->data);
  *buf = uv_buf_init(self->buffer_, sizeof self->buffer_);
}

void Successor::onReadThunk(uv_stream_t* stream, ssize_t n, const uv_buf_t* buf) noexcept {
  static_cast<Successor*>(stream->data)->onRead(n, buf);
}

void Successor::onRead(ssize_t n, const uv_buf_t* buf) {
  if (n > 0) {
    received_.append(buf->base, static_cast<std::size_t>(n));
    if (received_.find("READY=1\n") != std::string::npos && !settled_) {
      settled_ = true;
      ready_ = true;
      uv_close(reinterpret_cast<uv_handle_t*>(&pipe_), nullptr);
      if (onReady_) onReady_(process_.pid);
    }
    return;
  }
  if (n == 0) return;
  // EOF (or an error) before READY=1: the child closed its end without being ready, which it
  // only does when it exits. Its exit status follows in onExit; fail now with what we know.
  uv_close(reinterpret_cast<uv_handle_t*>(&pipe_), nullptr);
  fail("successor pid " + std::to_string(process_.pid) + " closed the ready pipe (" +
       uv_err_name(static_cast<int>(n)) + ") without READY=1");
}

}  // namespace closewise::server
