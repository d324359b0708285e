// RFC 9112 3.2: a server must answer 400 to an HTTP/1.1 request without a Host field, and to
// any request with more than one. HTTP/1.0 predates Host and may omit it.
#include <catch2/catch.hpp>
#include <string_view>

#include "protocol/request_parser.h"

using namespace closewise::protocol;

TEST_CASE("an HTTP/1.1 request without Host is a 400") {
  RequestParser parser{Limits{}};
  constexpr std::string_view kInput = "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n";
  const ParseResult r = parser.feed(kInput.data(), kInput.size());
  REQUIRE(r.status == ParseStatus::Error);
  REQUIRE(parser.error().status == 400);
  REQUIRE(parser.error().reason == "missing host");
}

TEST_CASE("a request with two Host lines is a 400, in 1.1 and 1.0") {
  for (const std::string_view input : {"GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n",
                                       "GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n"}) {
    RequestParser parser{Limits{}};
    const ParseResult r = parser.feed(input.data(), input.size());
    REQUIRE(r.status == ParseStatus::Error);
    REQUIRE(parser.error().status == 400);
    REQUIRE(parser.error().reason == "more than one host");
  }
}

TEST_CASE("an HTTP/1.0 request without Host is accepted") {
  RequestParser parser{Limits{}};
  constexpr std::string_view kInput = "GET /old HTTP/1.0\r\n\r\n";
  const ParseResult r = parser.feed(kInput.data(), kInput.size());
  REQUIRE(r.status == ParseStatus::MessageComplete);
  REQUIRE(r.consumed == kInput.size());
  REQUIRE(parser.request().versionMinor == 0);
  REQUIRE(parser.request().header("Host") == nullptr);
}

TEST_CASE("an empty Host value counts as present") {
  RequestParser parser{Limits{}};
  constexpr std::string_view kInput = "GET / HTTP/1.1\r\nHost:\r\n\r\n";
  REQUIRE(parser.feed(kInput.data(), kInput.size()).status == ParseStatus::MessageComplete);
  REQUIRE(*parser.request().header("host") == "");
}
