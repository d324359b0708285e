// Socket addresses as closewise prints them everywhere (logs, /stats, /connections, the
// upstream pools' warnings): "127.0.0.1:8080" and "[::1]:8080". One formatter, so an address
// printed by the server and the same address printed by the kernel view compare equal.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace closewise::kernel {

// `host` is numeric text ("127.0.0.1", "::1"); an IPv6 host, the only kind with a ':', goes in
// brackets so the port's colon stays unambiguous (RFC 3986 section 3.2.2).
std::string formatHostPort(std::string_view host, std::uint16_t port);

// An AF_INET or AF_INET6 address with its port, through formatHostPort; stores the port in *port
// if given. Empty for any other family, which has no host and port to print: every caller holds
// an address of a TCP socket, so an empty text means the address was not read. An IPv6 scope id
// is not printed.
std::string formatSocketAddress(const sockaddr_storage& address, std::uint16_t* port = nullptr);

// Our own end of a connected socket (getsockname), formatted as above; "" when fd is not one.
std::string localAddressOf(int fd);

}  // namespace closewise::kernel
