#include "kernel/address.h"

#include <netinet/in.h>
#include <uv.h>

namespace closewise::kernel {

std::string formatSocketAddress(const sockaddr_storage& address, std::uint16_t* port) {
  char host[INET6_ADDRSTRLEN] = {};
  std::uint16_t number = 0;
  std::string text;
  if (address.ss_family == AF_INET6) {
    const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&address);
    uv_ip6_name(sin6, host, sizeof host);
    number = ntohs(sin6->sin6_port);
    // Appended piece by piece: GCC 12 warns (-Wrestrict, a false positive) on "[" + string.
    text += '[';
    text += host;
    text += "]:";
    text += std::to_string(number);
  } else {
    const auto* sin = reinterpret_cast<const sockaddr_in*>(&address);
    uv_ip4_name(sin, host, sizeof host);
    number = ntohs(sin->sin_port);
    text = std::string(host) + ":" + std::to_string(number);
  }
  if (port != nullptr) *port = number;
  return text;
}

}  // namespace closewise::kernel
