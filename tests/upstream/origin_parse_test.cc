// An upstream url is http://HOST[:PORT] with HOST a name, an IPv4 literal or a bracketed IPv6
// literal; anything else is refused with a message that names the input.
#include <catch2/catch.hpp>

#include "upstream/origin.h"

using closewise::upstream::parseOrigin;

TEST_CASE("names, IPv4 and IPv6 literals, with and without a port", "[origin]") {
  auto a = parseOrigin("http://backend.internal:8080");
  REQUIRE(a.origin);
  CHECK(a.origin->host == "backend.internal");
  CHECK(a.origin->port == 8080);
  CHECK_FALSE(a.origin->ipLiteral);
  CHECK(a.origin->authority == "backend.internal:8080");

  auto b = parseOrigin("http://10.0.0.7");
  REQUIRE(b.origin);
  CHECK(b.origin->port == 80);
  CHECK(b.origin->ipLiteral);
  CHECK(b.origin->authority == "10.0.0.7");

  auto c = parseOrigin("HTTP://[::1]:9000/");
  REQUIRE(c.origin);
  CHECK(c.origin->host == "::1");
  CHECK(c.origin->port == 9000);
  CHECK(c.origin->ipLiteral);
  CHECK(c.origin->authority == "[::1]:9000");
}

TEST_CASE("anything else is an error naming the input", "[origin]") {
  for (const char* bad :
       {"https://a:1", "a:80", "http://", "http://:80", "http://a:", "http://a:0", "http://a:65536",
        "http://a:8x", "http://user@a:80", "http://a:80/path", "http://a:80?q", "http://[::1",
        "http://[not-v6]:80", "http://[::1]x", "http://a b:80", "http://a_b:80"}) {
    INFO(bad);
    const auto parsed = parseOrigin(bad);
    CHECK_FALSE(parsed.origin);
    CHECK(parsed.error.find(std::string("'") + bad + "'") != std::string::npos);
  }
}
