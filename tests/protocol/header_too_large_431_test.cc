// A head over Limits::maxHeaderBytes is a 431 (RFC 6585 5), counted as bytes arrive: an endless
// header is cut off at the limit, not buffered until its end. A head of exactly the limit passes.
#include <catch2/catch.hpp>
#include <string>
#include <string_view>

#include "protocol/request_parser.h"

using namespace closewise::protocol;

namespace {

// "GET / HTTP/1.1\r\nHost: a\r\nX: <padding>\r\n\r\n" of exactly `size` bytes.
std::string headOfSize(std::size_t size) {
  const std::string start = "GET / HTTP/1.1\r\nHost: a\r\nX: ";
  const std::string end = "\r\n\r\n";
  return start + std::string(size - start.size() - end.size(), 'v') + end;
}

}  // namespace

TEST_CASE("a head of exactly maxHeaderBytes is accepted, one byte more is a 431") {
  Limits limits;
  limits.maxHeaderBytes = 256;
  {
    RequestParser parser{limits};
    const std::string input = headOfSize(256);
    const ParseResult r = parser.feed(input.data(), input.size());
    REQUIRE(r.status == ParseStatus::MessageComplete);
    REQUIRE(r.consumed == 256);
    REQUIRE(parser.headerBytes() == 256);
  }
  {
    RequestParser parser{limits};
    const std::string input = headOfSize(257);
    const ParseResult r = parser.feed(input.data(), input.size());
    REQUIRE(r.status == ParseStatus::Error);
    REQUIRE(r.consumed == 256);
    REQUIRE(parser.error().status == 431);
    REQUIRE(parser.error().reason == "header section too large");
  }
}

TEST_CASE("an endless header is cut off at the limit, across feeds") {
  Limits limits;
  limits.maxHeaderBytes = 1024;
  RequestParser parser{limits};
  const std::string start = "GET / HTTP/1.1\r\nHost: a\r\nX: ";
  REQUIRE(parser.feed(start.data(), start.size()).status == ParseStatus::NeedMore);
  const std::string chunk(100, 'v');
  std::size_t fed = start.size();
  ParseResult r{ParseStatus::NeedMore, 0};
  while (r.status == ParseStatus::NeedMore) {
    r = parser.feed(chunk.data(), chunk.size());
    fed += r.consumed;
    REQUIRE(fed <= 1024);
  }
  REQUIRE(r.status == ParseStatus::Error);
  REQUIRE(fed == 1024);
  REQUIRE(parser.headerBytes() == 1024);
  REQUIRE(parser.error().status == 431);
}

TEST_CASE("trailers count against the same limit") {
  Limits limits;
  limits.maxHeaderBytes = 128;
  RequestParser parser{limits};
  const std::string head = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
  const std::string body = "0\r\nX-Trailer: " + std::string(100, 't') + "\r\n\r\n";
  REQUIRE(parser.feed(head.data(), head.size()).status == ParseStatus::HeadComplete);
  const ParseResult r = parser.feed(body.data(), body.size());
  REQUIRE(r.status == ParseStatus::Error);
  REQUIRE(parser.error().status == 431);
  REQUIRE(parser.error().reason == "trailer section too large");
}
