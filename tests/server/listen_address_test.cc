// Listen addresses are numeric IPv4, bracketed IPv6, or localhost; anything that would need DNS
// or could be read two ways is refused before the server tries to bind it.
#include <catch2/catch.hpp>

#include "server/config.h"

using closewise::server::ListenAddress;
using closewise::server::parseListenAddress;

TEST_CASE("a numeric IPv4 address with a port is accepted", "[listen]") {
  const auto address = parseListenAddress("127.0.0.1:8080");
  REQUIRE(address);
  CHECK(address->host == "127.0.0.1");
  CHECK(address->port == 8080);
  CHECK_FALSE(address->isIpv6());
  CHECK(address->text() == "127.0.0.1:8080");
  CHECK(parseListenAddress("0.0.0.0:80") == ListenAddress{"0.0.0.0", 80});
}

TEST_CASE("a bracketed IPv6 address keeps its host without brackets", "[listen]") {
  const auto loopback = parseListenAddress("[::1]:8080");
  REQUIRE(loopback);
  CHECK(loopback->host == "::1");
  CHECK(loopback->port == 8080);
  CHECK(loopback->isIpv6());
  CHECK(loopback->text() == "[::1]:8080");
  CHECK(parseListenAddress("[::]:443") == ListenAddress{"::", 443});
  CHECK(parseListenAddress("[2001:db8::42]:1") == ListenAddress{"2001:db8::42", 1});
  CHECK(parseListenAddress("[::ffff:127.0.0.1]:80") == ListenAddress{"::ffff:127.0.0.1", 80});
}

TEST_CASE("localhost means 127.0.0.1", "[listen]") {
  CHECK(parseListenAddress("localhost:80") == ListenAddress{"127.0.0.1", 80});
}

TEST_CASE("port 0 (any free port) and port 65535 are accepted", "[listen]") {
  CHECK(parseListenAddress("127.0.0.1:0") == ListenAddress{"127.0.0.1", 0});
  CHECK(parseListenAddress("[::1]:0") == ListenAddress{"::1", 0});
  CHECK(parseListenAddress("127.0.0.1:65535") == ListenAddress{"127.0.0.1", 65535});
}

TEST_CASE("an address that is not numeric, unbracketed IPv6 or has a bad port is refused",
          "[listen]") {
  for (const char* text : {"",
                           "8080",
                           ":8080",
                           "127.0.0.1",
                           "127.0.0.1:",
                           "127.0.0.1:65536",
                           "127.0.0.1:-1",
                           "127.0.0.1:+80",
                           "127.0.0.1:80 ",
                           " 127.0.0.1:80",
                           "127.0.0.1:0x50",
                           "127.1:80",
                           "256.0.0.1:80",
                           "example.com:80",
                           "LOCALHOST:80",
                           "[localhost]:80",
                           "::1:8080",
                           "[::1]",
                           "[::1]8080",
                           "[::1:8080",
                           "[]:80",
                           "[127.0.0.1]:80",
                           "[fe80::1%eth0]:80",
                           "127.0.0.1:8080:1"}) {
    INFO("text: \"" << text << "\"");
    CHECK_FALSE(parseListenAddress(text));
  }
}

TEST_CASE("text() reads back as the same address", "[listen]") {
  for (const char* text : {"127.0.0.1:8080", "[::1]:9901", "[2001:db8::1]:0"}) {
    const auto address = parseListenAddress(text);
    REQUIRE(address);
    CHECK(address->text() == text);
    CHECK(parseListenAddress(address->text()) == address);
  }
}
