// An HTTP/1.0 request with Transfer-Encoding is a 400 (RFC 9112 6.1: its framing is faulty, and the
// connection must not carry anything after it). HTTP/1.0 has no transfer codings, so a 1.0
// intermediary in front of us framed the body some other way; whatever we read as the next
// request could be the tail of this one.
#include <catch2/catch.hpp>
#include <string>
#include <string_view>

#include "protocol/request_parser.h"

using namespace closewise::protocol;

TEST_CASE("HTTP/1.0 with Transfer-Encoding: chunked is a 400, keep-alive or not") {
  const std::string_view heads[] = {
      "POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n",
      "POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
      "POST /echo HTTP/1.0\r\nHost: a\r\ntransfer-encoding: CHUNKED\r\n\r\n",
  };
  for (const std::string_view head : heads) {
    INFO(head);
    RequestParser parser{Limits{}};
    const std::string input = std::string(head) + "5\r\nhello\r\n0\r\n\r\n";
    const ParseResult r = parser.feed(input.data(), input.size());
    REQUIRE(r.status == ParseStatus::Error);
    CHECK(parser.error().status == 400);
    CHECK(parser.error().reason == "transfer-encoding in an http/1.0 request");
    CHECK_FALSE(parser.headComplete());
  }
}

TEST_CASE("HTTP/1.1 with Transfer-Encoding: chunked is still read as chunked") {
  RequestParser parser{Limits{}};
  const std::string_view input =
      "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
  ParseResult r = parser.feed(input.data(), input.size());
  REQUIRE(r.status == ParseStatus::HeadComplete);
  r = parser.feed(input.data() + r.consumed, input.size() - r.consumed);
  REQUIRE(r.status == ParseStatus::MessageComplete);
  CHECK(parser.request().body == "hello");
}
