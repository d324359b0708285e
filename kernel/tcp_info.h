// The kernel's view of one socket we own, read with getsockopt(TCP_INFO).
//
// sock_diag answers "how many sockets are in each state"; this answers "what is this one
// connection doing", cheaply enough to call from /connections for a single fd.
#pragma once

#include <cstdint>
#include <optional>

#include "kernel/sock_diag.h"

namespace closewise::kernel {

// The one reader of TCP_INFO: server, admin and the kernel view all take a socket's state from
// here. Each name has one meaning; the kernel's two retransmission counts are told apart by name.
struct SocketTcpInfo {
  TcpState state;
  std::uint32_t rttMicros;  // smoothed round-trip time
  std::uint32_t unacked;    // segments sent and not yet acknowledged
  // tcpi_retransmits: retransmission timeouts of the oldest unacknowledged segment, each of which
  // doubled the timer (RFC 6298 section 5.5); back to 0 once that segment is acknowledged.
  std::uint32_t retransmitsNow;
  // tcpi_total_retrans: segments retransmitted over the connection's life, never reset.
  std::uint32_t retransmitsTotal;
  // A listener's TCP_INFO reuses two fields (tcp_get_info in net/ipv4/tcp.c): `unacked` is then
  // its accept queue (connections not yet accept()ed) and `sacked` its listen() backlog, the
  // two figures inet_diag reports as rqueue and wqueue.
  std::uint32_t sacked;
};

// Empty if `fd` is not a TCP socket (or not a socket at all).
std::optional<SocketTcpInfo> socketTcpInfo(int fd) noexcept;

}  // namespace closewise::kernel
