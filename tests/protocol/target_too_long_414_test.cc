// A request line that does not fit in Limits::maxHeaderBytes is a 414 (RFC 9110 15.5.15): the
// request-target is what is too long, and 431 would send the client looking at its headers.
// Once the request line has ended, the same overflow is a 431. Either way the parser stops at the
// limit instead of buffering the rest.
#include <catch2/catch.hpp>
#include <string>

#include "protocol/request_parser.h"

using namespace closewise::protocol;

namespace {

Limits smallLimits() {
  Limits limits;
  limits.maxHeaderBytes = 256;
  return limits;
}

}  // namespace

TEST_CASE("a request-target longer than the head limit is a 414, cut off at the limit") {
  RequestParser parser{smallLimits()};
  const std::string input = "GET /" + std::string(1000, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n";
  const ParseResult r = parser.feed(input.data(), input.size());
  REQUIRE(r.status == ParseStatus::Error);
  CHECK(r.consumed == 256);
  CHECK(parser.error().status == 414);
  CHECK(parser.error().reason == "request-target too long");
}

TEST_CASE("a request-target that arrives in pieces past the limit is a 414") {
  RequestParser parser{smallLimits()};
  const std::string start = "GET /";
  REQUIRE(parser.feed(start.data(), start.size()).status == ParseStatus::NeedMore);
  const std::string piece(50, 'a');
  ParseResult r{ParseStatus::NeedMore, 0};
  std::size_t fed = start.size();
  while (r.status == ParseStatus::NeedMore) {
    r = parser.feed(piece.data(), piece.size());
    fed += r.consumed;
    REQUIRE(fed <= 256);
  }
  REQUIRE(r.status == ParseStatus::Error);
  CHECK(fed == 256);
  CHECK(parser.error().status == 414);
}

TEST_CASE("a request line that fits, followed by too many header bytes, is still a 431") {
  RequestParser parser{smallLimits()};
  // The request line alone takes most of the budget, but it ends within it.
  const std::string line = "GET /" + std::string(200, 'a') + " HTTP/1.1\r\n";
  const std::string input = line + "Host: a\r\nX: " + std::string(100, 'v') + "\r\n\r\n";
  const ParseResult r = parser.feed(input.data(), input.size());
  REQUIRE(r.status == ParseStatus::Error);
  CHECK(parser.error().status == 431);
  CHECK(parser.error().reason == "header section too large");
}

TEST_CASE("after a 414-sized target is refused, the parser is not reused: it stays failed") {
  RequestParser parser{smallLimits()};
  const std::string input = "GET /" + std::string(300, 'a');
  REQUIRE(parser.feed(input.data(), input.size()).status == ParseStatus::Error);
  const std::string more = " HTTP/1.1\r\nHost: a\r\n\r\n";
  CHECK(parser.feed(more.data(), more.size()).status == ParseStatus::Error);
  CHECK(parser.error().status == 414);
}
