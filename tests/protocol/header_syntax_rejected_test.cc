// Field-line syntax that llhttp 8.1 accepts but proxies may read differently is a 400:
// whitespace between name and colon (RFC 9112 5.1), obsolete line folding (RFC 9112 5.2), an
// empty or non-token name, control bytes in a value (RFC 9110 5.5), and a request line with
// extra spaces or bytes outside visible ASCII in the target (RFC 9112 3).
#include <catch2/catch.hpp>
#include <string>
#include <string_view>

#include "protocol/request_parser.h"

using namespace closewise::protocol;

namespace {

ParseError errorFor(std::string_view input) {
  RequestParser parser{Limits{}};
  const ParseResult r = parser.feed(input.data(), input.size());
  REQUIRE(r.status == ParseStatus::Error);
  return parser.error();
}

}  // namespace

TEST_CASE("whitespace between a header name and the colon is a 400") {
  for (const std::string_view input :
       {"GET / HTTP/1.1\r\nHost : a\r\n\r\n", "GET / HTTP/1.1\r\nHost: a\r\nX-A\t: b\r\n\r\n"}) {
    const ParseError e = errorFor(input);
    REQUIRE(e.status == 400);
    REQUIRE(e.reason == "whitespace between header name and colon");
  }
}

TEST_CASE("obsolete line folding is a 400") {
  for (const std::string_view input : {"GET / HTTP/1.1\r\nHost: a\r\nX: b\r\n c\r\n\r\n",
                                       "GET / HTTP/1.1\r\nHost: a\r\nX: b\r\n\tc\r\n\r\n"}) {
    const ParseError e = errorFor(input);
    REQUIRE(e.status == 400);
    REQUIRE(e.reason == "obsolete line folding");
  }
}

TEST_CASE("an empty header name is a 400") {
  const ParseError e = errorFor("GET / HTTP/1.1\r\nHost: a\r\n: b\r\n\r\n");
  REQUIRE(e.status == 400);
  REQUIRE(e.reason == "invalid header name");
}

TEST_CASE("a control byte in a header value is a 400") {
  for (const std::string_view value :
       {std::string_view("a\x01z"), std::string_view("a\x7fz"), std::string_view("a\0z", 3)}) {
    const std::string input = "GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(value) + "\r\n\r\n";
    const ParseError e = errorFor(input);
    REQUIRE(e.status == 400);
    REQUIRE(e.reason == "invalid character in header value");
  }
}

TEST_CASE("a request line with extra spaces is a 400") {
  for (const std::string_view input :
       {"GET  / HTTP/1.1\r\nHost: a\r\n\r\n", "GET /  HTTP/1.1\r\nHost: a\r\n\r\n"}) {
    const ParseError e = errorFor(input);
    REQUIRE(e.status == 400);
    REQUIRE(e.reason == "malformed request line");
  }
}

TEST_CASE("a byte outside visible ASCII in the target is a 400") {
  for (const std::string_view input :
       {"GET /a\tb HTTP/1.1\r\nHost: a\r\n\r\n", "GET /\xff HTTP/1.1\r\nHost: a\r\n\r\n"}) {
    const ParseError e = errorFor(input);
    REQUIRE(e.status == 400);
    REQUIRE(e.reason == "invalid character in request target");
  }
}

TEST_CASE("an unknown method is a 400") {
  for (const std::string_view input :
       {"FOO / HTTP/1.1\r\nHost: a\r\n\r\n", "get / HTTP/1.1\r\nHost: a\r\n\r\n"}) {
    const ParseError e = errorFor(input);
    REQUIRE(e.status == 400);
    REQUIRE(e.reason == "invalid method");
  }
}
