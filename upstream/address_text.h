// Addresses as closewise prints them ("127.0.0.1:8080", "[::1]:8080"). One small function so the
// integration can replace it with the kernel/ library's formatter when that exists.
#pragma once

#include <sys/socket.h>

#include <string>

namespace closewise::upstream {

std::string formatAddress(const sockaddr_storage& address);

}  // namespace closewise::upstream
