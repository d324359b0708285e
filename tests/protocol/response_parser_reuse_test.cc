// expect() readies the same parser for the next response on a kept-alive connection: nothing of
// the previous response (fields, trailers, framing, errors, the header budget) leaks into it.
#include <catch2/catch.hpp>
#include <string>

#include "protocol/response_parser.h"

using namespace closewise::protocol;

namespace {

// Feeds the whole input, following every result, and returns the last status.
ResponseStatus feedAll(ResponseParser& parser, std::string_view input, std::string* body) {
  while (true) {
    const ResponseResult r = parser.feed(input.data(), input.size());
    input.remove_prefix(r.consumed);
    if (r.status == ResponseStatus::Body) body->append(parser.body());
    if (r.status == ResponseStatus::NeedMore || r.status == ResponseStatus::Error ||
        r.status == ResponseStatus::MessageComplete) {
      return r.status;
    }
  }
}

}  // namespace

TEST_CASE("three responses on one connection, each parsed as if by a new parser") {
  ResponseLimits limits;
  limits.maxHeaderBytes = 120;  // each head fits, all three together would not
  ResponseParser parser{limits};
  std::string body;

  parser.expect("GET");
  REQUIRE(feedAll(parser,
                  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-First: 1\r\n\r\n"
                  "3\r\none\r\n0\r\nX-Trailer: t\r\n\r\n",
                  &body) == ResponseStatus::MessageComplete);
  REQUIRE(body == "one");
  REQUIRE(parser.response().trailers.size() == 1);

  parser.expect("HEAD");
  REQUIRE(feedAll(parser, "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n", &body) ==
          ResponseStatus::MessageComplete);
  REQUIRE(body == "one");
  REQUIRE(parser.response().header("x-first") == nullptr);
  REQUIRE(parser.response().trailers.empty());

  parser.expect("GET");
  REQUIRE(feedAll(parser, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ntwo", &body) ==
          ResponseStatus::MessageComplete);
  REQUIRE(body == "onetwo");
  REQUIRE(parser.keepAlive());
}

TEST_CASE("after an error, expect() starts afresh") {
  ResponseParser parser{ResponseLimits{}};
  std::string body;
  parser.expect("GET");
  REQUIRE(feedAll(parser, "HTTP/1.1 200 OK\nbad", &body) == ResponseStatus::Error);
  REQUIRE(parser.feed("x", 1).status == ResponseStatus::Error);
  parser.expect("GET");
  REQUIRE(feedAll(parser, "HTTP/1.1 204 No Content\r\n\r\n", &body) ==
          ResponseStatus::MessageComplete);
  REQUIRE(parser.error().empty());
}

TEST_CASE("before expect() no response is due") {
  ResponseParser parser{ResponseLimits{}};
  REQUIRE(parser.feed("HTTP/1.1 200 OK\r\n", 17).status == ResponseStatus::Error);
  REQUIRE(parser.error() == "no response expected");
  REQUIRE(parser.finish() == ResponseStatus::Error);
}
