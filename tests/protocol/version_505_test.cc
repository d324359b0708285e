// Only HTTP/1.0 and HTTP/1.1 are served; any other version in the request line is a 505
// (RFC 9110 15.6.6). llhttp 8.1 accepts 0.9 and 2.0 and rejects 1.2 and 3.0 itself. A version
// that is not a version at all is a malformed request line: 400.
#include <catch2/catch.hpp>
#include <string>
#include <string_view>

#include "protocol/request_parser.h"

using namespace closewise::protocol;

TEST_CASE("versions other than 1.0 and 1.1 are a 505") {
  for (const std::string_view version : {"0.9", "1.2", "2.0", "3.0"}) {
    INFO("HTTP/" << version);
    RequestParser parser{Limits{}};
    const std::string input = "GET / HTTP/" + std::string(version) + "\r\nHost: a\r\n\r\n";
    const ParseResult r = parser.feed(input.data(), input.size());
    REQUIRE(r.status == ParseStatus::Error);
    REQUIRE(parser.error().status == 505);
    REQUIRE(parser.error().reason == "unsupported http version");
  }
}

TEST_CASE("a malformed version is a 400") {
  for (const std::string_view line : {"GET / HTTX/1.1", "GET / HTTP/1.10", "GET / HTTP/1.1 "}) {
    INFO(line);
    RequestParser parser{Limits{}};
    const std::string input = std::string(line) + "\r\nHost: a\r\n\r\n";
    const ParseResult r = parser.feed(input.data(), input.size());
    REQUIRE(r.status == ParseStatus::Error);
    REQUIRE(parser.error().status == 400);
    REQUIRE(parser.error().reason == "malformed request line");
  }
}
