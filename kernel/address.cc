#include "kernel/address.h"

#include <arpa/inet.h>
#include <netinet/in.h>

namespace closewise::kernel {

std::string formatHostPort(std::string_view host, std::uint16_t port) {
  const bool bracket = host.find(':') != std::string_view::npos;
  std::string text;
  text.reserve(host.size() + 8);
  if (bracket) text += '[';
  text += host;
  if (bracket) text += ']';
  text += ':';
  text += std::to_string(port);
  return text;
}

std::string formatSocketAddress(const sockaddr_storage& address, std::uint16_t* port) {
  char host[INET6_ADDRSTRLEN] = {};
  std::uint16_t number = 0;
  if (address.ss_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&address);
    inet_ntop(AF_INET6, &v6->sin6_addr, host, sizeof host);
    number = ntohs(v6->sin6_port);
  } else if (address.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&address);
    inet_ntop(AF_INET, &v4->sin_addr, host, sizeof host);
    number = ntohs(v4->sin_port);
  } else {
    return {};
  }
  // inet_ntop cannot fail here: the family is one it knows and the buffer fits any address.
  if (port != nullptr) *port = number;
  return formatHostPort(host, number);
}

std::string localAddressOf(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (fd < 0 || getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return {};
  return formatSocketAddress(address);
}

}  // namespace closewise::kernel
