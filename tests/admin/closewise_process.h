// Runs the real closewise binary for the admin route tests.
//
// Server::run() blocks and owns its threads, so the admin routes are tested the way an operator
// meets them: start the binary on port 0, read the bound ports from its first log line, talk HTTP
// to it. The child's stderr is collected by a reader thread, so a chatty server never blocks on a
// full pipe, and the test can wait for a log line. The destructor kills and reaps the child.
//
// Its public listener serves the demo routes, on by default in the binary as shipped, and the tests
// that need a public route use them: they test the program. The in-process server tests use
// routes of their own (tests/support/test_routes.h), so they do not depend on the demo routes.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace closewise::test {

class ClosewiseProcess {
 public:
  // Starts CLOSEWISE_BINARY with `args` (after "serve") and this process's environment plus
  // `environment` ("NAME=value" entries); with waitForPorts, returns once the "listening on" line
  // has named the ports (or the process ended, or 20 s passed). Descriptors without FD_CLOEXEC
  // are inherited, as a predecessor's sockets are in a handoff.
  explicit ClosewiseProcess(std::vector<std::string> args, bool waitForPorts = true,
                            std::vector<std::string> environment = {}) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return;
    std::vector<std::string> argv = {CLOSEWISE_BINARY, "serve"};
    argv.insert(argv.end(), args.begin(), args.end());
    // Built before fork(): the child of a threaded process may only call async-signal-safe
    // functions, and allocating is not one.
    std::vector<char*> rawArgv;
    for (auto& a : argv) rawArgv.push_back(a.data());
    rawArgv.push_back(nullptr);
    std::vector<char*> rawEnv;
    for (char** e = environ; *e != nullptr; ++e) rawEnv.push_back(*e);
    for (auto& e : environment) rawEnv.push_back(e.data());
    rawEnv.push_back(nullptr);
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], STDERR_FILENO);
      dup2(fds[1], STDOUT_FILENO);
      execve(rawArgv[0], rawArgv.data(), rawEnv.data());
      _exit(127);
    }
    close(fds[1]);
    readFd_ = fds[0];
    reader_ = std::thread([this] { readLoop(); });
    if (waitForPorts) {
      waitForLog("listening on", std::chrono::seconds(20));
      const std::string text = log();
      publicPort_ = portAfter(text, "listening on ");
      adminPort_ = portAfter(text, "admin on ");
    }
  }

  ~ClosewiseProcess() {
    if (pid_ > 0 && !exitStatus_) {
      kill(pid_, SIGKILL);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
    if (reader_.joinable()) reader_.join();
    if (readFd_ >= 0) close(readFd_);
  }
  ClosewiseProcess(const ClosewiseProcess&) = delete;
  ClosewiseProcess& operator=(const ClosewiseProcess&) = delete;

  std::uint16_t publicPort() const { return static_cast<std::uint16_t>(publicPort_); }
  std::uint16_t adminPort() const { return static_cast<std::uint16_t>(adminPort_); }
  pid_t pid() const { return pid_; }

  std::string log() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return log_;
  }

  // True once `text` appears in the collected output; false after `limit`.
  bool waitForLog(const std::string& text, std::chrono::milliseconds limit) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, limit, [&] {
      return log_.find(text) != std::string::npos || eof_;
    }) && log_.find(text) != std::string::npos;
  }

  void signal(int signum) const { kill(pid_, signum); }

  // The exit code (or 128 + signal) once the process has ended; nullopt after `limit`.
  std::optional<int> waitExit(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!exitStatus_) {
      int status = 0;
      const pid_t done = waitpid(pid_, &status, WNOHANG);
      if (done == pid_) {
        exitStatus_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        break;
      }
      if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return exitStatus_;
  }

 private:
  // The port of the first "HOST:PORT" after `label` in `text` ("listening on 127.0.0.1:41234").
  static int portAfter(const std::string& text, const std::string& label) {
    const std::size_t at = text.find(label);
    if (at == std::string::npos) return 0;
    const std::size_t end = text.find_first_of(" ;(\n", at + label.size());
    const std::string address = text.substr(at + label.size(), end - at - label.size());
    const std::size_t colon = address.rfind(':');
    if (colon == std::string::npos) return 0;
    return std::atoi(address.c_str() + colon + 1);
  }

  void readLoop() {
    char buffer[4096];
    for (;;) {
      const ssize_t n = read(readFd_, buffer, sizeof buffer);
      if (n <= 0 && !(n < 0 && errno == EINTR)) break;
      if (n <= 0) continue;
      std::lock_guard<std::mutex> lock(mutex_);
      log_.append(buffer, static_cast<std::size_t>(n));
      changed_.notify_all();
    }
    std::lock_guard<std::mutex> lock(mutex_);
    eof_ = true;
    changed_.notify_all();
  }

  pid_t pid_ = -1;
  int readFd_ = -1;
  int publicPort_ = 0;
  int adminPort_ = 0;
  std::optional<int> exitStatus_;
  std::thread reader_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::string log_;
  bool eof_ = false;
};

// The flags every route test starts with: loopback, port 0 for both listeners.
inline std::vector<std::string> basicArgs(std::vector<std::string> more = {}) {
  std::vector<std::string> args = {"--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0"};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

}  // namespace closewise::test
