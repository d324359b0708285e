// A response cut short by the upstream's close is an error, never taken for a whole one (RFC
// 9112 8): in the head, in a Content-Length body, in a chunked body, and before any byte.
#include <catch2/catch.hpp>
#include <string>

#include "tests/protocol/response_feeding.h"

using namespace closewise::protocol;
using namespace closewise::testing;

namespace {

std::string errorAtEof(std::string_view input) {
  FeedOptions options;
  options.eofAtEnd = true;
  return responseError(input, options);
}

}  // namespace

TEST_CASE("EOF inside the response is an error") {
  for (const std::string_view input : {
           "HTTP/1.1 200 OK\r\nContent-Le", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabc",
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: 1\r\n",
           "HTTP/1.1 100 Continue\r\n\r\n",  // the final response never came
       }) {
    INFO(input);
    REQUIRE(errorAtEof(input) == "connection closed inside the response");
  }
}

TEST_CASE("EOF before any byte is its own error") {
  ResponseParser parser{ResponseLimits{}};
  parser.expect("GET");
  REQUIRE(parser.finish() == ResponseStatus::Error);
  REQUIRE(parser.error() == "connection closed before the response");
}

TEST_CASE("EOF after a complete response changes nothing but keep-alive") {
  ResponseParser parser{ResponseLimits{}};
  parser.expect("GET");
  constexpr std::string_view kInput = "HTTP/1.1 204 No Content\r\n\r\n";
  REQUIRE(parser.feed(kInput.data(), kInput.size()).status == ResponseStatus::HeadComplete);
  REQUIRE(parser.feed(nullptr, 0).status == ResponseStatus::MessageComplete);
  REQUIRE(parser.keepAlive());
  REQUIRE(parser.finish() == ResponseStatus::MessageComplete);
  REQUIRE_FALSE(parser.keepAlive());
}
