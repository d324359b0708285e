// Responses to HEAD, and 204 and 304 responses, have no body whatever their fields say (RFC
// 9112 6.3 rule 1); nor does a 2xx to CONNECT, which starts a tunnel (rule 2). llhttp alone
// would read a body announced by the Content-Length of a 304 or of a response to HEAD.
#include <catch2/catch.hpp>
#include <string>

#include "tests/protocol/response_feeding.h"

using namespace closewise::protocol;
using namespace closewise::testing;

namespace {

FeedOptions method(std::string_view m) {
  FeedOptions options;
  options.method = m;
  return options;
}

}  // namespace

TEST_CASE("a response to HEAD has no body, whatever its framing fields say") {
  for (const std::string_view head :
       {"HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "HTTP/1.1 200 OK\r\n\r\n"}) {
    INFO(head);
    // The bytes after the head belong to whatever comes next, not to this response.
    const std::string input = std::string(head) + "HTTP/1.1 200 OK\r\n";
    const ResponseTranscript t = parseResponse(input, method("HEAD"));
    REQUIRE(t.events == std::vector<std::string>{"head 200", "complete keep-alive"});
    REQUIRE(t.consumed == head.size());
    REQUIRE(t.response.framing == ResponseFraming::None);
  }
  // Its Content-Length says what a GET would have got: kept for the caller to forward.
  REQUIRE(parseResponse("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n", method("HEAD"))
              .response.contentLength == 1234);
}

TEST_CASE("the same head to a GET has a body") {
  const ResponseTranscript t =
      parseResponse("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody", method("GET"));
  REQUIRE(t.events == std::vector<std::string>{"head 200", "body", "complete keep-alive"});
  // Methods are case-sensitive (RFC 9110 9.1): "head" is not HEAD.
  REQUIRE(parseResponse("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody", method("head")).body ==
          "body");
}

TEST_CASE("204 and 304 have no body, even with Content-Length or chunked") {
  for (const std::string_view head : {
           "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n",
           "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n",
           "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n",
           "HTTP/1.1 204 No Content\r\n\r\n",
       }) {
    INFO(head);
    const ResponseTranscript t = parseResponse(std::string(head) + "hello");
    REQUIRE(t.events.size() == 2);
    REQUIRE(t.events[1] == "complete keep-alive");
    REQUIRE(t.consumed == head.size());
    REQUIRE(t.body.empty());
  }
}

TEST_CASE("a 2xx to CONNECT starts a tunnel, a refusal has a body") {
  const ResponseTranscript tunnel =
      parseResponse("HTTP/1.1 200 Connection Established\r\n\r\n\x16\x03\x01", method("CONNECT"));
  REQUIRE(tunnel.events == std::vector<std::string>{"head 200", "complete close"});
  REQUIRE_FALSE(tunnel.keepAlive);
  const ResponseTranscript refused =
      parseResponse("HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 2\r\n\r\nno",
                    method("CONNECT"));
  REQUIRE(refused.body == "no");
}
