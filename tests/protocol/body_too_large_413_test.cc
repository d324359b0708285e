// A body over Limits::maxBodyBytes is a 413 (RFC 9110 15.5.14): refused at the head when
// Content-Length announces it, and at the chunk header that would cross the limit when chunked.
#include <catch2/catch.hpp>
#include <string>
#include <string_view>

#include "protocol/request_parser.h"

using namespace closewise::protocol;

TEST_CASE("a Content-Length over the limit is a 413 before any body byte") {
  Limits limits;
  limits.maxBodyBytes = 10;
  RequestParser parser{limits};
  constexpr std::string_view kHead = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n";
  const ParseResult r = parser.feed(kHead.data(), kHead.size());
  REQUIRE(r.status == ParseStatus::Error);
  REQUIRE(parser.error().status == 413);
  REQUIRE(parser.error().reason == "body too large");
  REQUIRE(parser.request().body.empty());
}

TEST_CASE("a Content-Length of exactly the limit is accepted") {
  Limits limits;
  limits.maxBodyBytes = 10;
  RequestParser parser{limits};
  constexpr std::string_view kInput =
      "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n0123456789";
  ParseResult r = parser.feed(kInput.data(), kInput.size());
  REQUIRE(r.status == ParseStatus::HeadComplete);
  r = parser.feed(kInput.data() + r.consumed, kInput.size() - r.consumed);
  REQUIRE(r.status == ParseStatus::MessageComplete);
  REQUIRE(parser.request().body == "0123456789");
}

TEST_CASE("a chunked body is a 413 at the chunk header that crosses the limit") {
  Limits limits;
  limits.maxBodyBytes = 10;
  RequestParser parser{limits};
  constexpr std::string_view kHead =
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
  REQUIRE(parser.feed(kHead.data(), kHead.size()).status == ParseStatus::HeadComplete);
  constexpr std::string_view kFirst = "6\r\nabcdef\r\n";
  ParseResult r = parser.feed(kFirst.data(), kFirst.size());
  REQUIRE(r.status == ParseStatus::NeedMore);
  REQUIRE(parser.request().body == "abcdef");
  constexpr std::string_view kSecond = "5\r\n";  // 6 + 5 > 10, refused before the data.
  r = parser.feed(kSecond.data(), kSecond.size());
  REQUIRE(r.status == ParseStatus::Error);
  REQUIRE(parser.error().status == 413);
  REQUIRE(parser.error().reason == "body too large");
  REQUIRE(parser.request().body == "abcdef");
}
