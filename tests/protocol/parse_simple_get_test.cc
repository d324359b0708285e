// A plain GET is parsed in one feed into exactly the fields a handler reads.
#include <catch2/catch.hpp>
#include <string_view>

#include "protocol/request_parser.h"

using namespace closewise::protocol;

TEST_CASE("a simple GET parses into method, target, path, query, version and headers") {
  RequestParser parser{Limits{}};
  constexpr std::string_view kInput =
      "GET /delay?ms=5 HTTP/1.1\r\nHost: example.com\r\nUser-Agent:  curl/8.0 \r\n\r\n";

  REQUIRE_FALSE(parser.inProgress());
  const ParseResult r = parser.feed(kInput.data(), kInput.size());

  REQUIRE(r.status == ParseStatus::MessageComplete);
  REQUIRE(r.consumed == kInput.size());
  REQUIRE(parser.headComplete());
  REQUIRE(parser.inProgress());
  REQUIRE(parser.headerBytes() == kInput.size());
  const Request& req = parser.request();
  REQUIRE(req.method == "GET");
  REQUIRE(req.target == "/delay?ms=5");
  REQUIRE(req.path == "/delay");
  REQUIRE(req.query == "ms=5");
  REQUIRE(req.versionMajor == 1);
  REQUIRE(req.versionMinor == 1);
  REQUIRE(req.headers.size() == 2);
  REQUIRE(req.headers[0].name == "Host");
  REQUIRE(req.headers[0].value == "example.com");
  REQUIRE(req.headers[1].name == "User-Agent");
  REQUIRE(req.headers[1].value == "curl/8.0");  // Surrounding whitespace is not the value.
  REQUIRE(*req.header("user-agent") == "curl/8.0");
  REQUIRE(req.header("Accept") == nullptr);
  REQUIRE(req.body.empty());
  REQUIRE(req.keepAlive);
  REQUIRE_FALSE(req.chunked);
  REQUIRE_FALSE(req.contentLength.has_value());

  // Until reset(), the parser stays at the end of this request.
  REQUIRE(parser.feed("GET", 3).status == ParseStatus::MessageComplete);
  REQUIRE(parser.feed("GET", 3).consumed == 0);

  parser.reset();
  REQUIRE_FALSE(parser.inProgress());
  REQUIRE_FALSE(parser.headComplete());
  REQUIRE(parser.request().method.empty());
  REQUIRE(parser.request().headers.empty());
}

TEST_CASE("the absolute form of the target yields the path after the authority") {
  RequestParser parser{Limits{}};
  constexpr std::string_view kInput =
      "GET http://example.com/a/b?x=1 HTTP/1.1\r\nHost: example.com\r\n\r\n";
  REQUIRE(parser.feed(kInput.data(), kInput.size()).status == ParseStatus::MessageComplete);
  REQUIRE(parser.request().target == "http://example.com/a/b?x=1");
  REQUIRE(parser.request().path == "/a/b");
  REQUIRE(parser.request().query == "x=1");
}
