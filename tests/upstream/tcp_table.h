// The kernel's view of a TCP four-tuple on 127.0.0.1, read from /proc/net/tcp. A test-only
// stand-in: the integration switches to the kernel/ library's sock_diag reader.
#pragma once

#include <cstdint>
#include <string>

namespace closewise::testing {

// How many sockets from localPort to remotePort (both on 127.0.0.1) the kernel holds in the given
// state ("ESTABLISHED", "CLOSE_WAIT", "TIME_WAIT", "FIN_WAIT2", ...).
int tcpSockets(std::uint16_t localPort, std::uint16_t remotePort, const std::string& state);

}  // namespace closewise::testing
