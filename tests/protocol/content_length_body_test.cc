// A Content-Length body (RFC 9112 6.2) is read to exactly that many bytes; a zero length means
// no body and no HeadComplete stop.
#include <catch2/catch.hpp>
#include <string_view>

#include "protocol/request_parser.h"

using namespace closewise::protocol;

TEST_CASE("a Content-Length body is read in full, across feeds") {
  RequestParser parser{Limits{}};
  constexpr std::string_view kHead = "PUT /item HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n";
  ParseResult r = parser.feed(kHead.data(), kHead.size());
  REQUIRE(r.status == ParseStatus::HeadComplete);
  REQUIRE(r.consumed == kHead.size());
  REQUIRE(parser.headComplete());
  REQUIRE(parser.request().contentLength == std::optional<std::uint64_t>{10});

  r = parser.feed("01234", 5);
  REQUIRE(r.status == ParseStatus::NeedMore);
  REQUIRE(r.consumed == 5);
  REQUIRE(parser.request().body == "01234");

  r = parser.feed("56789GET /", 10);  // The bytes after the body are the next request's.
  REQUIRE(r.status == ParseStatus::MessageComplete);
  REQUIRE(r.consumed == 5);
  REQUIRE(parser.request().body == "0123456789");
  REQUIRE(parser.headerBytes() == kHead.size());
}

TEST_CASE("Content-Length: 0 completes the request at the end of the head") {
  RequestParser parser{Limits{}};
  constexpr std::string_view kInput =
      "POST /empty HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n";
  const ParseResult r = parser.feed(kInput.data(), kInput.size());
  REQUIRE(r.status == ParseStatus::MessageComplete);
  REQUIRE(r.consumed == kInput.size());
  REQUIRE(parser.request().contentLength == std::optional<std::uint64_t>{0});
  REQUIRE(parser.request().body.empty());
}

TEST_CASE("a non-numeric or signed Content-Length is a 400") {
  for (const std::string_view value : {"abc", "-5", "+5", "5 5", "0x10", ""}) {
    INFO("Content-Length: " << value);
    RequestParser parser{Limits{}};
    const std::string input =
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: " + std::string(value) + "\r\n\r\nhello";
    const ParseResult r = parser.feed(input.data(), input.size());
    REQUIRE(r.status == ParseStatus::Error);
    REQUIRE(parser.error().status == 400);
    REQUIRE(parser.error().reason == "invalid content-length");
  }
}
