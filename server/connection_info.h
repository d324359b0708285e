// One open connection as /connections lists it: an inbound one the server accepted, or an
// outbound one a worker companion (an upstream pool) made. Its own header because both the
// control surface and the worker companions name it, and the companion header sits below the
// worker's.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace closewise::server {

struct ConnectionInfo {
  std::uint64_t id = 0;  // unique per direction (and, outbound, per upstream and worker)
  unsigned worker = 0;
  std::string_view direction = kInbound;
  std::string upstream;  // the upstream's name for an outbound connection; "" for inbound
  std::string peer;      // the remote end: the client, or the upstream
  std::string local;     // our end of the socket; "" when unknown
  std::string_view phase;
  std::uint64_t ageMs = 0;
  std::uint64_t idleMs = 0;  // time since the peer's FIN for a half-closed one; else phase age
  std::uint32_t requests = 0;
  std::uint64_t bytesIn = 0;
  std::uint64_t bytesOut = 0;
  bool peerFinSeen = false;
  std::uint64_t sincePeerFinMs = 0;
  // Upgraded to a WebSocket: the kernel cannot tell, so /connections says so, with the whole
  // messages each way.
  bool websocket = false;
  std::uint64_t wsMessagesIn = 0;
  std::uint64_t wsMessagesOut = 0;
  int fd = -1;
  // The kernel's view of this socket (kernel::socketTcpInfo, read on the worker's thread so the
  // fd cannot be closed and reused under us). tcpState is the kernel's number (1 = ESTABLISHED,
  // 8 = CLOSE_WAIT, see linux/tcp_states.h); 0 when unavailable.
  int tcpState = 0;
  std::uint32_t rttUs = 0;
  std::uint32_t unacked = 0;
  std::uint32_t retransmitsTotal = 0;  // tcpi_total_retrans: over the connection's life

  static constexpr std::string_view kInbound = "inbound";
  static constexpr std::string_view kOutbound = "outbound";
};

}  // namespace closewise::server
