#include "kernel/tcp_info.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cstddef>

namespace closewise::kernel {

std::optional<SocketTcpInfo> socketTcpInfo(int fd) noexcept {
  tcp_info info{};
  socklen_t length = sizeof info;
  if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length) != 0) return std::nullopt;
  // An older kernel fills a shorter struct; every field we read must be inside what it wrote.
  if (length < offsetof(tcp_info, tcpi_total_retrans) + sizeof info.tcpi_total_retrans)
    return std::nullopt;
  return SocketTcpInfo{.state = static_cast<TcpState>(info.tcpi_state),
                       .rttMicros = info.tcpi_rtt,
                       .unacked = info.tcpi_unacked,
                       .retransmitsNow = info.tcpi_retransmits,
                       .retransmitsTotal = info.tcpi_total_retrans,
                       .sacked = info.tcpi_sacked};
}

}  // namespace closewise::kernel
