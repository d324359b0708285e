// A chunk-size has at most 16 hex digits, leading zeros included (RFC 9112 7.1 sets no bound, but
// asks recipients to guard against large numerals): 16 digits hold any 64-bit size, and zeros in
// front of them would otherwise let one size line run on for ever. More is a 400.
#include <catch2/catch.hpp>
#include <string>
#include <string_view>

#include "protocol/request_parser.h"

using namespace closewise::protocol;

namespace {

constexpr std::string_view kHead =
    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";

// Feeds the head, then `body` one byte at a time (the scanner keeps its count across feeds).
ParseResult feedBody(RequestParser& parser, const std::string& body) {
  REQUIRE(parser.feed(kHead.data(), kHead.size()).status == ParseStatus::HeadComplete);
  ParseResult r{ParseStatus::NeedMore, 0};
  for (std::size_t i = 0; i < body.size() && r.status == ParseStatus::NeedMore; ++i) {
    r = parser.feed(body.data() + i, 1);
  }
  return r;
}

}  // namespace

TEST_CASE("a chunk-size of 16 digits with leading zeros is read") {
  RequestParser parser{Limits{}};
  const std::string body =
      std::string(15, '0') + "a\r\n0123456789\r\n" + std::string(16, '0') + "\r\n\r\n";
  REQUIRE(feedBody(parser, body).status == ParseStatus::MessageComplete);
  CHECK(parser.request().body == "0123456789");
}

TEST_CASE("a chunk-size of 17 digits is a 400, in a data chunk or the last one") {
  const std::string bodies[] = {
      std::string(16, '0') + "a\r\n0123456789\r\n0\r\n\r\n",
      "1\r\nx\r\n" + std::string(16, '0') + "5\r\nhello\r\n0\r\n\r\n",
      "1\r\nx\r\n" + std::string(17, '0') + "\r\n\r\n",
      "1\r\nx\r\n" + std::string(100'000, '0') + "1\r\ny\r\n0\r\n\r\n",
      // A size past 64 bits is too long before it is too large.
      "fffffffffffffffff\r\nhello\r\n0\r\n\r\n",
  };
  for (const std::string& body : bodies) {
    INFO(body.substr(0, 40));
    RequestParser parser{Limits{}};
    REQUIRE(feedBody(parser, body).status == ParseStatus::Error);
    CHECK(parser.error().status == 400);
    CHECK(parser.error().reason == "chunk size too long");
  }
}

TEST_CASE("a trailer whose name starts with many hex letters is not a chunk-size") {
  RequestParser parser{Limits{}};
  const std::string body = "1\r\nx\r\n0\r\ndeadbeefdeadbeefcafe: 1\r\n\r\n";
  REQUIRE(feedBody(parser, body).status == ParseStatus::MessageComplete);
  REQUIRE(parser.request().trailers.size() == 1);
  CHECK(parser.request().trailers[0].name == "deadbeefdeadbeefcafe");
}
