// A bare LF or a bare CR anywhere outside the body is a 400. RFC 9112 2.2 lets a recipient take
// a bare LF as a line end and requires a bare CR to be rejected or replaced; we choose strict,
// because llhttp 8.1 accepts bare LF in the request line, at the end of the head and in
// trailers, and takes any byte after a CR on an empty line or in a chunk-size line as its LF.
#include <catch2/catch.hpp>
#include <string>
#include <string_view>

#include "protocol/request_parser.h"

using namespace closewise::protocol;

namespace {

// Feeds the whole input, continuing after HeadComplete, and returns the error.
ParseError errorFor(std::string_view input) {
  RequestParser parser{Limits{}};
  std::size_t offset = 0;
  while (true) {
    const ParseResult r = parser.feed(input.data() + offset, input.size() - offset);
    offset += r.consumed;
    if (r.status == ParseStatus::Error) return parser.error();
    REQUIRE(r.status == ParseStatus::HeadComplete);
  }
}

constexpr std::string_view kChunkedHead =
    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";

}  // namespace

TEST_CASE("a bare LF outside the body is a 400") {
  const std::string inputs[] = {
      "\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",                // empty line before the request line
      "GET / HTTP/1.1\nHost: a\r\n\r\n",                    // request line
      "GET / HTTP/1.1\r\nHost: a\n\r\n",                    // header line
      "GET / HTTP/1.1\r\nHost: a\r\n\n",                    // end of the head
      std::string(kChunkedHead) + "5\nhello\r\n0\r\n\r\n",  // chunk-size line
      std::string(kChunkedHead) + "5\r\nhello\r\n0\r\nT: 1\n\r\n",  // trailer line
      std::string(kChunkedHead) + "5\r\nhello\r\n0\r\n\n",          // end of the trailers
  };
  for (const std::string& input : inputs) {
    INFO(input);
    const ParseError e = errorFor(input);
    REQUIRE(e.status == 400);
    REQUIRE(e.reason == "bare lf");
  }
}

TEST_CASE("a bare CR outside the body is a 400") {
  const std::string inputs[] = {
      "GET / HTTP/1.1\rHost: a\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\r\n\rX",  // llhttp 8.1 alone takes the X as the final LF
      std::string(kChunkedHead) + "5\rXhello\r\n0\r\n\r\n",  // and this X as the chunk line's LF
      std::string(kChunkedHead) + "5\r\nhello\r\n0\r\n\rX",
  };
  for (const std::string& input : inputs) {
    INFO(input);
    const ParseError e = errorFor(input);
    REQUIRE(e.status == 400);
    REQUIRE(e.reason == "bare cr");
  }
}

TEST_CASE("a bare LF split from its line across feeds is still a 400") {
  RequestParser parser{Limits{}};
  REQUIRE(parser.feed("GET / HTTP/1.1", 14).status == ParseStatus::NeedMore);
  const ParseResult r = parser.feed("\nHost: a\r\n\r\n", 12);
  REQUIRE(r.status == ParseStatus::Error);
  REQUIRE(parser.error().status == 400);
  REQUIRE(parser.error().reason == "bare lf");
}

TEST_CASE("CR and LF inside a body are data") {
  RequestParser parser{Limits{}};
  constexpr std::string_view kInput =
      "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\n\r\n\n\r";
  ParseResult r = parser.feed(kInput.data(), kInput.size());
  REQUIRE(r.status == ParseStatus::HeadComplete);
  r = parser.feed(kInput.data() + r.consumed, 4);
  REQUIRE(r.status == ParseStatus::MessageComplete);
  REQUIRE(parser.request().body == "\r\n\n\r");
}
