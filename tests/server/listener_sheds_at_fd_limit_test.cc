// Out of descriptors, accept4() fails with EMFILE while connections wait in the queue, and the
// listening socket stays readable: a listener that only logged would be woken again at once, for
// ever (the busy loop libuv's uv__emfile_trick exists to prevent). Ours gives up its reserve
// descriptor, accepts and closes every waiting connection, takes the reserve back, and reports
// how many it shed. What must hold: the clients see an orderly close (FIN, not a SYN that is never
// answered), the count is right, and accepting works again as soon as descriptors are free.
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cerrno>
#include <filesystem>
#include <vector>

#include "server/listener.h"
#include "tests/server/listener_recorder.h"

using closewise::server::Listener;
using closewise::testing::connectTo;
using closewise::testing::ListenerRecorder;
using closewise::testing::tcpSocket;

namespace {

int highestOpenFd() {
  int highest = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    highest = std::max(highest, std::stoi(entry.path().filename().string()));
  }
  return highest;
}

// Takes every free descriptor below a lowered soft limit, and gives them all back (and the old
// limit) when it goes.
class FdFamine {
 public:
  FdFamine() : source_(::open("/dev/null", O_RDONLY | O_CLOEXEC)) {
    ::getrlimit(RLIMIT_NOFILE, &saved_);
    rlimit lowered = saved_;
    lowered.rlim_cur = static_cast<rlim_t>(highestOpenFd() + 16);
    ::setrlimit(RLIMIT_NOFILE, &lowered);
    fillers_.reserve(64);
    for (;;) {
      const int fd = ::fcntl(source_, F_DUPFD_CLOEXEC, 0);
      if (fd < 0) {
        exhausted_ = errno == EMFILE;
        break;
      }
      fillers_.push_back(fd);
    }
  }
  ~FdFamine() {
    end();
    if (source_ >= 0) ::close(source_);
  }
  void end() {
    for (const int fd : fillers_) ::close(fd);
    fillers_.clear();
    ::setrlimit(RLIMIT_NOFILE, &saved_);
  }
  bool exhausted() const noexcept { return exhausted_; }

 private:
  int source_;
  rlimit saved_{};
  std::vector<int> fillers_;
  bool exhausted_ = false;
};

}  // namespace

TEST_CASE("out of descriptors, the listener sheds the waiting connections and recovers") {
  ListenerRecorder recorder;
  Listener& listener = recorder.listener;
  REQUIRE(listener.bind("127.0.0.1", 0, false, 16) == 0);

  // The client sockets exist before the famine; connect() needs no new descriptor.
  std::vector<int> clients;
  for (int i = 0; i < 3; ++i) clients.push_back(tcpSocket());
  for (const int fd : clients) REQUIRE(fd >= 0);
  int connected = 0;
  bool starved = false;
  {
    FdFamine famine;
    starved = famine.exhausted();
    for (const int fd : clients) connected += connectTo(fd, listener.port()) ? 1 : 0;
    for (int i = 0; i < 20 && recorder.shedTotal < 3; ++i) recorder.runOnce();
  }
  REQUIRE(starved);
  REQUIRE(connected == 3);
  CHECK(recorder.accepted.empty());
  CHECK(recorder.errors == 0);
  CHECK(recorder.shedError == UV_EMFILE);
  CHECK(recorder.shedTotal == 3);
  CHECK(recorder.sheds >= 1);
  // Each client sees its connection closed in order: end of stream, not a reset.
  for (const int fd : clients) {
    char byte = 0;
    CHECK(::recv(fd, &byte, 1, 0) == 0);
    ::close(fd);
  }

  // With descriptors free again the next connection is accepted as usual.
  const int next = tcpSocket();
  REQUIRE(connectTo(next, listener.port()));
  for (int i = 0; i < 20 && recorder.accepted.empty(); ++i) recorder.runOnce();
  CHECK(recorder.accepted.size() == 1);
  CHECK(recorder.shedTotal == 3);
  ::close(next);
}
