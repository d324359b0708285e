// A chunked body (RFC 9112 7.1) is decoded: sizes are hex, extensions are ignored, and the
// trailer section is kept apart from the headers.
#include <catch2/catch.hpp>
#include <string_view>

#include "protocol/request_parser.h"

using namespace closewise::protocol;

TEST_CASE("a chunked body is decoded and its trailers are kept apart") {
  RequestParser parser{Limits{}};
  constexpr std::string_view kHead =
      "POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n";
  constexpr std::string_view kBody =
      "a;ext=1\r\n0123456789\r\n"
      "1A\r\nabcdefghijklmnopqrstuvwxyz\r\n"
      "0\r\nDigest: x\r\n\r\n";
  ParseResult r = parser.feed(kHead.data(), kHead.size());
  REQUIRE(r.status == ParseStatus::HeadComplete);
  REQUIRE(r.consumed == kHead.size());
  REQUIRE(parser.request().chunked);
  REQUIRE_FALSE(parser.request().contentLength.has_value());

  r = parser.feed(kBody.data(), kBody.size());
  REQUIRE(r.status == ParseStatus::MessageComplete);
  REQUIRE(r.consumed == kBody.size());
  const Request& req = parser.request();
  REQUIRE(req.body == "0123456789abcdefghijklmnopqrstuvwxyz");
  REQUIRE(req.headers.size() == 2);
  REQUIRE(req.trailers.size() == 1);
  REQUIRE(req.trailers[0].name == "Digest");
  REQUIRE(req.trailers[0].value == "x");
  REQUIRE(req.header("Digest") == nullptr);
}

TEST_CASE("a coding other than chunked is a 501 when chunked is last, else a 400") {
  struct Case {
    std::string_view te;
    int status;
    std::string_view reason;
  };
  const Case cases[] = {
      {"gzip, chunked", 501, "unsupported transfer coding"},      // RFC 9112 6.1
      {"gzip", 400, "chunked is not the final transfer coding"},  // RFC 9112 6.3 item 4
      {"chunked, gzip", 400, "chunked is not the final transfer coding"},
      {"chunked, chunked", 400, "chunked is not the final transfer coding"},  // RFC 9112 7
      {"", 400, "invalid transfer-encoding"},
  };
  for (const Case& c : cases) {
    INFO("Transfer-Encoding: " << c.te);
    RequestParser parser{Limits{}};
    const std::string input =
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: " + std::string(c.te) +
        "\r\n\r\n0\r\n\r\n";
    const ParseResult r = parser.feed(input.data(), input.size());
    REQUIRE(r.status == ParseStatus::Error);
    REQUIRE(parser.error().status == c.status);
    REQUIRE(parser.error().reason == c.reason);
  }
}

TEST_CASE("chunked listed over two field lines is still one final chunked") {
  RequestParser parser{Limits{}};
  constexpr std::string_view kInput =
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n";
  const ParseResult r = parser.feed(kInput.data(), kInput.size());
  REQUIRE(r.status == ParseStatus::Error);
  REQUIRE(parser.error().status == 501);
  REQUIRE(parser.error().reason == "unsupported transfer coding");
}
