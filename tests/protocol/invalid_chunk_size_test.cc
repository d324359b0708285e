// Chunk framing (RFC 9112 7.1) is checked byte for byte: a chunk size is 1*HEXDIG, and chunk
// data is followed by exactly CRLF. llhttp 8.1 does not check the two bytes after chunk data;
// the parser does, since a proxy that does would see a different body.
#include <catch2/catch.hpp>
#include <string>
#include <string_view>

#include "protocol/request_parser.h"

using namespace closewise::protocol;

namespace {

ParseError errorFor(std::string_view body) {
  RequestParser parser{Limits{}};
  const std::string input =
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + std::string(body);
  ParseResult r = parser.feed(input.data(), input.size());
  REQUIRE(r.status == ParseStatus::HeadComplete);
  r = parser.feed(input.data() + r.consumed, input.size() - r.consumed);
  REQUIRE(r.status == ParseStatus::Error);
  return parser.error();
}

}  // namespace

TEST_CASE("a malformed chunk size is a 400") {
  for (const std::string_view body :
       {"g\r\nhello\r\n0\r\n\r\n", "-5\r\nhello\r\n0\r\n\r\n", "0x5\r\nhello\r\n0\r\n\r\n",
        " 5\r\nhello\r\n0\r\n\r\n", "5 \r\nhello\r\n0\r\n\r\n", "\r\nhello\r\n0\r\n\r\n"}) {
    INFO(body);
    const ParseError e = errorFor(body);
    REQUIRE(e.status == 400);
    REQUIRE(e.reason == "invalid chunk framing");
  }
}

TEST_CASE("chunk data not followed by CRLF is a 400") {
  for (const std::string_view body :
       {"5\r\nhelloXY0\r\n\r\n", "5\r\nhello\rX0\r\n\r\n", "5\r\nhello0\r\n\r\n"}) {
    INFO(body);
    const ParseError e = errorFor(body);
    REQUIRE(e.status == 400);
    REQUIRE(e.reason == "invalid chunk framing");
  }
}

TEST_CASE("chunk data checked across feeds: the CRLF may arrive later, but must be CRLF") {
  RequestParser parser{Limits{}};
  constexpr std::string_view kHead =
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
  REQUIRE(parser.feed(kHead.data(), kHead.size()).status == ParseStatus::HeadComplete);
  REQUIRE(parser.feed("3\r\nabc", 6).status == ParseStatus::NeedMore);
  REQUIRE(parser.feed("\r", 1).status == ParseStatus::NeedMore);
  const ParseResult r = parser.feed("Z0\r\n\r\n", 6);
  REQUIRE(r.status == ParseStatus::Error);
  REQUIRE(parser.error().status == 400);
}
