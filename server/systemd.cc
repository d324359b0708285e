#include "server/systemd.h"

#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <systemd/sd-daemon.h>

#include <cstdlib>
#include <cstring>

namespace closewise::server::systemd {

void notify(std::string_view state) {
  const std::string line(state);
  // unset_environment = 0: a successor started by a handoff must still find NOTIFY_SOCKET, so it
  // can tell systemd it is the new main process.
  const int rc = sd_notify(0, line.c_str());
  if (rc < 0) spdlog::warn("sd_notify(\"{}\") failed: {}", line, std::strerror(-rc));
}

ActivatedSockets takeActivatedSockets() {
  ActivatedSockets sockets;
  char** names = nullptr;
  // unset_environment = 1: see the header.
  const int n = sd_listen_fds_with_names(1, &names);
  if (n < 0) {
    sockets.error = std::string("sd_listen_fds: ") + std::strerror(-n);
    return sockets;
  }
  for (int i = 0; i < n; ++i) {
    const int fd = SD_LISTEN_FDS_START + i;
    const std::string_view name = names != nullptr && names[i] != nullptr ? names[i] : "";
    // A socket unit with Accept=yes, or a datagram socket, would hand us something we cannot
    // serve; say so at start-up rather than fail on the first accept.
    if (sd_is_socket(fd, AF_UNSPEC, SOCK_STREAM, 1) <= 0) {
      sockets.error = "fd " + std::to_string(fd) + " (" + std::string(name) +
                      ") passed by systemd is not a listening stream socket";
    } else if (name == "admin") {
      sockets.adminFd = fd;
    } else {
      sockets.publicFds.push_back(fd);
    }
  }
  if (names != nullptr) {
    for (int i = 0; i < n; ++i) std::free(names[i]);
    std::free(names);
  }
  return sockets;
}

}  // namespace closewise::server::systemd
