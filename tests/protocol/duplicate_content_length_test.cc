// Several Content-Length values are a 400 (RFC 9112 6.3 item 5). We reject identical duplicates
// too: a proxy in front may have picked either line, and a client has no reason to send two.
#include <catch2/catch.hpp>
#include <string>
#include <string_view>

#include "protocol/request_parser.h"

using namespace closewise::protocol;

TEST_CASE("two Content-Length lines are a 400, whether they differ or not") {
  for (const std::string_view second : {"6", "5"}) {
    RequestParser parser{Limits{}};
    const std::string input =
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: " +
        std::string(second) + "\r\n\r\nhello!";
    const ParseResult r = parser.feed(input.data(), input.size());
    REQUIRE(r.status == ParseStatus::Error);
    REQUIRE(parser.error().status == 400);
    REQUIRE(parser.error().reason == "duplicate content-length");
  }
}

TEST_CASE("a Content-Length list is a 400, whether its values differ or not") {
  for (const std::string_view value : {"5, 6", "5,5", "5, 5"}) {
    INFO("Content-Length: " << value);
    RequestParser parser{Limits{}};
    const std::string input =
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: " + std::string(value) + "\r\n\r\nhello!";
    const ParseResult r = parser.feed(input.data(), input.size());
    REQUIRE(r.status == ParseStatus::Error);
    REQUIRE(parser.error().status == 400);
    REQUIRE(parser.error().reason == "invalid content-length");
  }
}
