// One text for an address wherever it is printed: "127.0.0.1:8080", "[::1]:8080" (the brackets
// keep an IPv6 address's colons apart from the port's), and nothing for a family with no host
// and port, so a caller can tell "not read" from an address.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <catch2/catch.hpp>

#include "kernel/address.h"

using namespace closewise::kernel;

namespace {

sockaddr_storage ipv4(const char* host, std::uint16_t port) {
  sockaddr_storage storage{};
  auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
  v4->sin_family = AF_INET;
  v4->sin_port = htons(port);
  REQUIRE(inet_pton(AF_INET, host, &v4->sin_addr) == 1);
  return storage;
}

sockaddr_storage ipv6(const char* host, std::uint16_t port) {
  sockaddr_storage storage{};
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
  v6->sin6_family = AF_INET6;
  v6->sin6_port = htons(port);
  REQUIRE(inet_pton(AF_INET6, host, &v6->sin6_addr) == 1);
  return storage;
}

}  // namespace

TEST_CASE("host text and a port: an IPv6 host goes in brackets") {
  CHECK(formatHostPort("127.0.0.1", 8080) == "127.0.0.1:8080");
  CHECK(formatHostPort("0.0.0.0", 0) == "0.0.0.0:0");
  CHECK(formatHostPort("::1", 8080) == "[::1]:8080");
  CHECK(formatHostPort("::", 65535) == "[::]:65535");
  CHECK(formatHostPort("fe80::1", 443) == "[fe80::1]:443");
}

TEST_CASE("an IPv4 socket address prints as host:port and gives its port") {
  std::uint16_t port = 0;
  CHECK(formatSocketAddress(ipv4("192.0.2.7", 8080), &port) == "192.0.2.7:8080");
  CHECK(port == 8080);
  CHECK(formatSocketAddress(ipv4("127.0.0.1", 1)) == "127.0.0.1:1");
}

TEST_CASE("an IPv6 socket address prints as [host]:port, in inet_ntop's shortest form") {
  std::uint16_t port = 0;
  CHECK(formatSocketAddress(ipv6("::1", 443), &port) == "[::1]:443");
  CHECK(port == 443);
  CHECK(formatSocketAddress(ipv6("2001:db8:0:0:0:0:0:1", 65535)) == "[2001:db8::1]:65535");
  // An IPv4 client of a dual-stack listener keeps its mapped form, as ss prints it.
  CHECK(formatSocketAddress(ipv6("::ffff:127.0.0.1", 8080)) == "[::ffff:127.0.0.1]:8080");
}

TEST_CASE("a family other than IPv4 and IPv6 prints as nothing and leaves the port alone") {
  sockaddr_storage storage{};
  reinterpret_cast<sockaddr_un*>(&storage)->sun_family = AF_UNIX;
  std::uint16_t port = 7;
  CHECK(formatSocketAddress(storage, &port).empty());
  CHECK(port == 7);
  CHECK(formatSocketAddress(sockaddr_storage{}).empty());  // AF_UNSPEC: never filled in
}
