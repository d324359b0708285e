// For the listener tests: a Listener on its own loop that records what it reports (accepted fds,
// errors, sheds), closed and its handles released when the recorder goes, whatever failed in
// between; and the client side, a socket made before the test needs it and a blocking connect.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "server/listener.h"

namespace closewise::testing {

struct ListenerRecorder {
  uv_loop_t loop{};
  std::vector<int> accepted;
  int errors = 0;
  int sheds = 0;              // onShed reports
  std::size_t shedTotal = 0;  // connections they closed
  int shedError = 0;          // the error of the last one
  server::Listener listener;

  ListenerRecorder()
      : listener(initialized(loop), [this](server::Listener&, int fdOrError) {
          if (fdOrError >= 0) {
            accepted.push_back(fdOrError);
          } else {
            ++errors;
          }
        }) {
    // Reserved so that recording allocates nothing while the tests hold every descriptor.
    accepted.reserve(64);
    listener.onShed([this](server::Listener&, int error, std::size_t closed) {
      ++sheds;
      shedTotal += closed;
      shedError = error;
    });
  }
  ~ListenerRecorder() {
    listener.close();
    uv_run(&loop, UV_RUN_DEFAULT);
    for (const int fd : accepted) ::close(fd);
    uv_loop_close(&loop);
  }
  ListenerRecorder(const ListenerRecorder&) = delete;
  ListenerRecorder& operator=(const ListenerRecorder&) = delete;

  void runOnce() { uv_run(&loop, UV_RUN_NOWAIT); }

 private:
  static uv_loop_t* initialized(uv_loop_t& loop) {
    uv_loop_init(&loop);
    return &loop;
  }
};

inline int tcpSocket() {
  return ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
}

// A blocking connect on loopback completes in the kernel, accepted or not.
inline bool connectTo(int fd, std::uint16_t port) {
  sockaddr_in where{};
  where.sin_family = AF_INET;
  where.sin_port = htons(port);
  where.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return ::connect(fd, reinterpret_cast<sockaddr*>(&where), sizeof where) == 0;
}

}  // namespace closewise::testing
