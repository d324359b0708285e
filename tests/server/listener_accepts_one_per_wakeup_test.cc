// The listener accepts one connection per readiness report, by hand, instead of libuv's
// accept-until-EAGAIN loop, whose last accept4() fails on almost every wakeup and costs the
// kernel a file allocation each time (server/listener.h). What must hold: each connection is
// handed over exactly once, as a non-blocking, close-on-exec fd; connections waiting together
// are all accepted, one loop iteration each; and closing the listener refuses new connects at
// once. (That no accept4() fails on an empty queue is counted with perf in bench/README.md.)
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <catch2/catch.hpp>
#include <vector>

#include "server/listener.h"

using closewise::server::Listener;

namespace {

int connectTo(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in where{};
  where.sin_family = AF_INET;
  where.sin_port = htons(port);
  where.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0) return -1;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&where), sizeof where) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

struct Loop {
  uv_loop_t loop{};
  Loop() { uv_loop_init(&loop); }
  ~Loop() { uv_loop_close(&loop); }
  // Runs the close callbacks: a Listener must have seen its own before it is destroyed.
  void finish() { uv_run(&loop, UV_RUN_DEFAULT); }
};

}  // namespace

TEST_CASE("the listener hands over each waiting connection once, one per loop iteration") {
  Loop loop;
  std::vector<int> accepted;
  int errors = 0;
  Listener listener(&loop.loop, [&](Listener&, int fdOrError) {
    if (fdOrError >= 0) {
      accepted.push_back(fdOrError);
    } else {
      ++errors;
    }
  });
  REQUIRE(listener.bind("127.0.0.1", 0, false, 16) == 0);
  REQUIRE(listener.port() != 0);

  // Three connections complete in the kernel before the loop looks at the listener.
  std::vector<int> clients;
  for (int i = 0; i < 3; ++i) clients.push_back(connectTo(listener.port()));
  for (const int fd : clients) REQUIRE(fd >= 0);

  uv_run(&loop.loop, UV_RUN_NOWAIT);
  CHECK(accepted.size() == 1);
  for (int i = 0; i < 10 && accepted.size() < 3; ++i) uv_run(&loop.loop, UV_RUN_NOWAIT);
  REQUIRE(accepted.size() == 3);
  CHECK(errors == 0);
  for (const int fd : accepted) {
    CHECK((fcntl(fd, F_GETFL) & O_NONBLOCK) != 0);
    CHECK((fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
  }

  // With the queue empty nothing more is handed over.
  uv_run(&loop.loop, UV_RUN_NOWAIT);
  CHECK(accepted.size() == 3);

  // Closing refuses new connects at once, before the loop runs again.
  listener.close();
  CHECK(connectTo(listener.port()) == -1);
  CHECK(errno == ECONNREFUSED);

  loop.finish();
  CHECK(listener.closed());
  for (const int fd : accepted) ::close(fd);
  for (const int fd : clients) ::close(fd);
}

TEST_CASE("a listener that fails to bind says why and closes cleanly") {
  Loop loop;
  Listener first(&loop.loop, [](Listener&, int fd) { ::close(fd); });
  REQUIRE(first.bind("127.0.0.1", 0, false, 16) == 0);
  Listener second(&loop.loop, [](Listener&, int fd) { ::close(fd); });
  CHECK(second.bind("127.0.0.1", first.port(), false, 16) == UV_EADDRINUSE);
  CHECK(second.errorText().find("bind: EADDRINUSE") != std::string::npos);
  second.close();
  first.close();
  loop.finish();
}
