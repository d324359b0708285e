// What closewise uses of systemd: readiness notification (Type=notify) and socket activation.
//
// Both are optional. Without NOTIFY_SOCKET in the environment notify() does nothing, and without
// LISTEN_FDS takeActivatedSockets() returns nothing, so the same binary runs under systemd, in a
// container and in a terminal.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace closewise::server::systemd {

// Sends one state line (or several, newline-separated) to the service manager: "READY=1",
// "STOPPING=1", "STATUS=...", "MAINPID=...". A failure is logged at warn and otherwise ignored:
// a missed notification makes systemd time out the unit, which is the right outcome to surface.
void notify(std::string_view state);

// The listening sockets systemd passed (closewise.socket and closewise-admin.socket): the one
// named "admin" (FileDescriptorName=admin) is the admin listener, every other one is public.
struct ActivatedSockets {
  std::vector<int> publicFds;
  int adminFd = -1;
  std::string error;  // non-empty: a passed fd is not a listening TCP socket
  bool any() const noexcept { return !publicFds.empty() || adminFd >= 0; }
};

// Reads LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES (sd_listen_fds_with_names) and removes them from
// the environment, so a successor started by a SIGUSR2 handoff does not try to take the same fds
// again: it gets them explicitly, with --inherit-fds. Call once, before any thread starts
// (unsetenv is not thread-safe).
ActivatedSockets takeActivatedSockets();

}  // namespace closewise::server::systemd
