// Three pipelined requests in one buffer are parsed one at a time, in order (RFC 9112 9.3.2):
// each feed stops at the end of one request and reports how many bytes it used.
#include <catch2/catch.hpp>
#include <string_view>

#include "protocol/request_parser.h"

using namespace closewise::protocol;

TEST_CASE("pipelined requests are parsed one at a time, in order") {
  constexpr std::string_view kFirst = "GET /one HTTP/1.1\r\nHost: a\r\n\r\n";
  constexpr std::string_view kSecond =
      "POST /two HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc";
  constexpr std::string_view kThird = "GET /three HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";
  const std::string buffer = std::string(kFirst) + std::string(kSecond) + std::string(kThird);

  RequestParser parser{Limits{}};
  const char* p = buffer.data();
  std::size_t left = buffer.size();

  ParseResult r = parser.feed(p, left);
  REQUIRE(r.status == ParseStatus::MessageComplete);
  REQUIRE(r.consumed == kFirst.size());
  REQUIRE(parser.request().path == "/one");
  REQUIRE(parser.request().keepAlive);
  p += r.consumed;
  left -= r.consumed;
  parser.reset();

  r = parser.feed(p, left);
  REQUIRE(r.status == ParseStatus::HeadComplete);
  REQUIRE(r.consumed == kSecond.size() - 3);
  REQUIRE(parser.request().path == "/two");
  REQUIRE(parser.request().body.empty());
  p += r.consumed;
  left -= r.consumed;
  r = parser.feed(p, left);
  REQUIRE(r.status == ParseStatus::MessageComplete);
  REQUIRE(r.consumed == 3);
  REQUIRE(parser.request().body == "abc");
  p += r.consumed;
  left -= r.consumed;
  parser.reset();

  r = parser.feed(p, left);
  REQUIRE(r.status == ParseStatus::MessageComplete);
  REQUIRE(r.consumed == kThird.size());
  REQUIRE(parser.request().path == "/three");
  REQUIRE_FALSE(parser.request().keepAlive);
  REQUIRE(parser.request().headers.size() == 2);
  REQUIRE(parser.request().headers[1].value == "close");
}
