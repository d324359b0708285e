// The kernel's view of a TCP four-tuple on 127.0.0.1, read from /proc/net/tcp. Test-only, and not
// kernel::KernelStateReader: that reader answers the server's question, sockets by LOCAL port,
// while these tests ask about one connection. An ephemeral local port is not unique to it (Linux
// gives the same port to connections to other destinations, other tests' among them), so a count
// by local port alone could include sockets that are not the pool's.
#pragma once

#include <cstdint>
#include <string>

namespace closewise::testing {

// How many sockets from localPort to remotePort (both on 127.0.0.1) the kernel holds in the given
// state ("ESTABLISHED", "CLOSE_WAIT", "TIME_WAIT", "FIN_WAIT2", ...).
int tcpSockets(std::uint16_t localPort, std::uint16_t remotePort, const std::string& state);

}  // namespace closewise::testing
