// Content-Length together with Transfer-Encoding is a 400, in either order (RFC 9112 6.1 lets
// a server reject it; behind a proxy that might frame by the other header it must, since this
// is the classic request smuggling shape).
#include <catch2/catch.hpp>
#include <string>
#include <string_view>

#include "protocol/request_parser.h"

using namespace closewise::protocol;

TEST_CASE("Content-Length and Transfer-Encoding together are a 400, in either order") {
  const std::string_view heads[] = {
      "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: a\r\ncontent-length: 0\r\ntransfer-encoding: gzip\r\n\r\n",
  };
  for (const std::string_view head : heads) {
    INFO(head);
    RequestParser parser{Limits{}};
    const std::string input = std::string(head) + "0\r\n\r\n";
    const ParseResult r = parser.feed(input.data(), input.size());
    REQUIRE(r.status == ParseStatus::Error);
    REQUIRE(parser.error().status == 400);
    REQUIRE(parser.error().reason == "both content-length and transfer-encoding");
    REQUIRE_FALSE(parser.headComplete());
    // The parser stays in error until reset.
    REQUIRE(parser.feed("GET", 3).status == ParseStatus::Error);
    REQUIRE(parser.feed("GET", 3).consumed == 0);
  }
}
