// At the descriptor limit the listener sheds waiting connections with its reserve descriptor. If
// the reserve is gone as well (another thread took the slot it freed), nothing can empty the
// queue and the socket stays readable: a listener that only reported the error would be woken
// again on every loop iteration, a busy loop at 100% CPU with a log line each time. Ours stops
// watching the socket for Listener::kRetryMs and tries again, as nginx pauses its accept events.
//
// The reserve is lost here the way the race loses it: the soft limit is lowered to the reserve's
// own number, so the slot it frees is above the limit and cannot be taken back.
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "server/listener.h"
#include "tests/server/listener_recorder.h"

using closewise::server::Listener;
using closewise::testing::connectTo;
using closewise::testing::ListenerRecorder;
using closewise::testing::tcpSocket;
using namespace std::chrono_literals;

namespace {

std::set<int> openFds() {
  std::set<int> fds;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    fds.insert(std::stoi(entry.path().filename().string()));
  }
  return fds;
}

// What fd refers to, or "" once it is closed (the listing's own descriptor is, by now).
std::string target(int fd) {
  std::error_code error;
  return std::filesystem::read_symlink("/proc/self/fd/" + std::to_string(fd), error).string();
}

}  // namespace

TEST_CASE("with no reserve left at the fd limit, the listener pauses instead of spinning") {
  ListenerRecorder recorder;
  Listener& listener = recorder.listener;
  const std::set<int> before = openFds();
  REQUIRE(listener.bind("127.0.0.1", 0, false, 16) == 0);
  // The reserve is the descriptor bind() opened besides the listening socket.
  int reserve = -1;
  for (const int fd : openFds()) {
    if (before.count(fd) == 0 && target(fd) == "/dev/null") reserve = fd;
  }
  REQUIRE(reserve >= 0);

  std::vector<int> clients;
  for (int i = 0; i < 3; ++i) {
    clients.push_back(tcpSocket());
    REQUIRE(clients.back() >= 0);
  }

  rlimit saved{};
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &saved) == 0);
  rlimit lowered = saved;
  lowered.rlim_cur = static_cast<rlim_t>(reserve);
  std::vector<int> fillers;
  fillers.reserve(static_cast<std::size_t>(reserve) + 1);
  int connected = 0;
  bool starved = false;
  int errorsWhilePaused = 0;
  {
    REQUIRE(::setrlimit(RLIMIT_NOFILE, &lowered) == 0);
    for (int fd; (fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0;) fillers.push_back(fd);
    starved = errno == EMFILE;
    for (const int fd : clients) connected += connectTo(fd, listener.port()) ? 1 : 0;
    // 50 loop iterations over about 50 ms, all within the pause.
    for (int i = 0; i < 50; ++i) {
      recorder.runOnce();
      std::this_thread::sleep_for(1ms);
    }
    errorsWhilePaused = recorder.errors;
    for (const int fd : fillers) ::close(fd);
    ::setrlimit(RLIMIT_NOFILE, &saved);
  }
  REQUIRE(starved);
  REQUIRE(connected == 3);
  CHECK(errorsWhilePaused == 1);  // reported once, then paused: not once per iteration
  CHECK(recorder.sheds == 1);
  CHECK(recorder.shedTotal == 0);
  CHECK(recorder.accepted.empty());

  // Descriptors free again: after the pause the reserve is taken back and the connections
  // that waited in the queue are accepted.
  const auto deadline = std::chrono::steady_clock::now() + 2s;
  while (recorder.accepted.size() < 3 && std::chrono::steady_clock::now() < deadline) {
    recorder.runOnce();
    std::this_thread::sleep_for(2ms);
  }
  CHECK(recorder.accepted.size() == 3);
  CHECK(recorder.errors == 1);
  const auto& accepted = recorder.accepted;
  bool reserveBack = false;
  for (const int fd : openFds()) {
    if (before.count(fd) == 0 && fd != listener.fd() &&
        std::find(clients.begin(), clients.end(), fd) == clients.end() &&
        std::find(accepted.begin(), accepted.end(), fd) == accepted.end()) {
      reserveBack = reserveBack || target(fd) == "/dev/null";
    }
  }
  CHECK(reserveBack);
  for (const int fd : clients) ::close(fd);
}
