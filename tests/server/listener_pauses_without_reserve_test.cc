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

using closewise::server::Listener;
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

bool connectTo(int fd, std::uint16_t port) {
  sockaddr_in where{};
  where.sin_family = AF_INET;
  where.sin_port = htons(port);
  where.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return ::connect(fd, reinterpret_cast<sockaddr*>(&where), sizeof where) == 0;
}

}  // namespace

TEST_CASE("with no reserve left at the fd limit, the listener pauses instead of spinning") {
  uv_loop_t loop;
  REQUIRE(uv_loop_init(&loop) == 0);
  std::vector<int> accepted;
  int errors = 0;
  int sheds = 0;
  std::size_t shedClosed = 0;
  accepted.reserve(8);
  {
    Listener listener(&loop, [&](Listener&, int fdOrError) {
      if (fdOrError >= 0) {
        accepted.push_back(fdOrError);
      } else {
        ++errors;
      }
    });
    struct CloseAtEnd {
      Listener& listener;
      uv_loop_t& loop;
      ~CloseAtEnd() {
        listener.close();
        uv_run(&loop, UV_RUN_DEFAULT);
      }
    } closeAtEnd{listener, loop};
    listener.onShed([&](Listener&, int, std::size_t closed) {
      ++sheds;
      shedClosed += closed;
    });

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
      clients.push_back(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
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
        uv_run(&loop, UV_RUN_NOWAIT);
        std::this_thread::sleep_for(1ms);
      }
      errorsWhilePaused = errors;
      for (const int fd : fillers) ::close(fd);
      ::setrlimit(RLIMIT_NOFILE, &saved);
    }
    REQUIRE(starved);
    REQUIRE(connected == 3);
    CHECK(errorsWhilePaused == 1);  // reported once, then paused: not once per iteration
    CHECK(sheds == 1);
    CHECK(shedClosed == 0);
    CHECK(accepted.empty());

    // Descriptors free again: after the pause the reserve is taken back and the connections
    // that waited in the queue are accepted.
    const auto deadline = std::chrono::steady_clock::now() + 2s;
    while (accepted.size() < 3 && std::chrono::steady_clock::now() < deadline) {
      uv_run(&loop, UV_RUN_NOWAIT);
      std::this_thread::sleep_for(2ms);
    }
    CHECK(accepted.size() == 3);
    CHECK(errors == 1);
    bool reserveBack = false;
    for (const int fd : openFds()) {
      if (before.count(fd) == 0 && fd != listener.fd() &&
          std::find(clients.begin(), clients.end(), fd) == clients.end() &&
          std::find(accepted.begin(), accepted.end(), fd) == accepted.end()) {
        reserveBack = reserveBack || std::filesystem::read_symlink(
                                         "/proc/self/fd/" + std::to_string(fd)) == "/dev/null";
      }
    }
    CHECK(reserveBack);
    for (const int fd : accepted) ::close(fd);
    for (const int fd : clients) ::close(fd);
  }
  CHECK(uv_loop_close(&loop) == 0);
}
