// The kernel's view of one socket we own, read with getsockopt(TCP_INFO).
//
// sock_diag answers "how many sockets are in each state"; this answers "what is this one
// connection doing", cheaply enough to call from /connections for a single fd.
#pragma once

#include <cstdint>
#include <optional>

#include "kernel/sock_diag.h"

namespace closewise::kernel {

struct SocketTcpInfo {
  TcpState state;
  std::uint32_t rttMicros;     // smoothed round-trip time
  std::uint32_t unacked;       // segments sent and not yet acknowledged
  std::uint32_t retransmits;   // retransmissions of the current unacknowledged segment
  std::uint32_t totalRetrans;  // retransmitted segments over the connection's life
  // A listener's TCP_INFO reuses two fields (tcp_get_info in net/ipv4/tcp.c): `unacked` is then
  // its accept queue (connections not yet accept()ed) and `sacked` its listen() backlog, the
  // two figures inet_diag reports as rqueue and wqueue.
  std::uint32_t sacked;
};

// Empty if `fd` is not a TCP socket (or not a socket at all).
std::optional<SocketTcpInfo> socketTcpInfo(int fd) noexcept;

}  // namespace closewise::kernel
