// Socket addresses as closewise prints them everywhere (logs, /stats, /connections):
// "127.0.0.1:8080" and "[::1]:8080".
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>

namespace closewise::kernel {

// Formats an AF_INET or AF_INET6 address with its port; stores the port in *port if given.
std::string formatSocketAddress(const sockaddr_storage& address, std::uint16_t* port = nullptr);

}  // namespace closewise::kernel
