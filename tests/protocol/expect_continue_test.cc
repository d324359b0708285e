// "Expect: 100-continue" (RFC 9110 10.1.1): the parser stops after the head, so the server can
// answer "100 Continue" (or a final status) before the client sends the body.
#include <catch2/catch.hpp>
#include <string_view>

#include "protocol/request_parser.h"
#include "protocol/response_writer.h"

using namespace closewise::protocol;

TEST_CASE("a request with Expect: 100-continue stops at HeadComplete, then takes its body") {
  RequestParser parser{Limits{}};
  constexpr std::string_view kHead =
      "POST /upload HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 4\r\n\r\n";
  ParseResult r = parser.feed(kHead.data(), kHead.size());
  REQUIRE(r.status == ParseStatus::HeadComplete);
  REQUIRE(r.consumed == kHead.size());
  REQUIRE(parser.headComplete());
  REQUIRE(parser.request().expectContinue);
  REQUIRE(parser.request().body.empty());
  REQUIRE(kContinue == "HTTP/1.1 100 Continue\r\n\r\n");

  r = parser.feed("data", 4);
  REQUIRE(r.status == ParseStatus::MessageComplete);
  REQUIRE(r.consumed == 4);
  REQUIRE(parser.request().body == "data");
  REQUIRE(parser.request().expectContinue);
}

TEST_CASE("HeadComplete is reported even when the body arrived in the same read") {
  RequestParser parser{Limits{}};
  constexpr std::string_view kInput =
      "POST /upload HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok";
  ParseResult r = parser.feed(kInput.data(), kInput.size());
  REQUIRE(r.status == ParseStatus::HeadComplete);
  REQUIRE(r.consumed == kInput.size() - 2);
  r = parser.feed(kInput.data() + r.consumed, 2);
  REQUIRE(r.status == ParseStatus::MessageComplete);
  REQUIRE(r.consumed == 2);
  REQUIRE(parser.request().body == "ok");
}

TEST_CASE("no Expect header leaves expectContinue false") {
  RequestParser parser{Limits{}};
  constexpr std::string_view kInput =
      "POST /upload HTTP/1.1\r\nHost: a\r\nExpect: something-else\r\nContent-Length: 1\r\n\r\n";
  REQUIRE(parser.feed(kInput.data(), kInput.size()).status == ParseStatus::HeadComplete);
  REQUIRE_FALSE(parser.request().expectContinue);
}

TEST_CASE("Expect: 100-continue in an HTTP/1.0 request is ignored") {
  // RFC 9110 10.1.1: a server that receives a 100-continue expectation in an HTTP/1.0 request
  // must ignore it. The head still stops at HeadComplete; there is just nothing to answer early.
  RequestParser parser{Limits{}};
  constexpr std::string_view kHead =
      "POST /upload HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n";
  REQUIRE(parser.feed(kHead.data(), kHead.size()).status == ParseStatus::HeadComplete);
  REQUIRE_FALSE(parser.request().expectContinue);
}
