// Interim responses (1xx other than 101, RFC 9110 15.2) are reported as such and skipped: the
// final response follows on the same connection, and a 103's fields can be read when it is
// reported. A 101 is final: its head is reported and the response ends there, the connection
// no longer speaking HTTP/1.1.
#include <catch2/catch.hpp>
#include <string>

#include "tests/protocol/response_feeding.h"

using namespace closewise::protocol;
using namespace closewise::testing;

TEST_CASE("100 Continue and 103 Early Hints come before the final response") {
  const ResponseTranscript t = parseResponse(
      "HTTP/1.1 100 Continue\r\n\r\n"
      "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  REQUIRE(t.events == std::vector<std::string>{"interim 100", "interim 103", "head 200", "body",
                                               "complete keep-alive"});
  REQUIRE(t.body == "ok");
  // The final response does not inherit the interim ones' fields.
  REQUIRE(t.response.header("link") == nullptr);
  REQUIRE(t.response.headers.size() == 1);
}

TEST_CASE("an interim response's fields are readable when it is reported") {
  ResponseParser parser{ResponseLimits{}};
  parser.expect("GET");
  constexpr std::string_view kInput =
      "HTTP/1.1 103 Early Hints\r\nLink: </a.js>; rel=preload\r\n\r\n"
      "HTTP/1.1 204 No Content\r\n\r\n";
  ResponseResult r = parser.feed(kInput.data(), kInput.size());
  REQUIRE(r.status == ResponseStatus::Interim);
  REQUIRE(parser.response().status == 103);
  REQUIRE(*parser.response().header("Link") == "</a.js>; rel=preload");
  r = parser.feed(kInput.data() + r.consumed, kInput.size() - r.consumed);
  REQUIRE(r.status == ResponseStatus::HeadComplete);
  REQUIRE(parser.response().status == 204);
}

TEST_CASE("a Content-Length on an interim response announces no body") {
  const ResponseTranscript t = parseResponse(
      "HTTP/1.1 100 Continue\r\nContent-Length: 5\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
  REQUIRE(t.events ==
          std::vector<std::string>{"interim 100", "head 200", "body", "complete keep-alive"});
  REQUIRE(t.body == "hello");
}

TEST_CASE("101 Switching Protocols ends the response, what follows is not HTTP") {
  constexpr std::string_view kInput =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
      "\x81\x02hi";
  const ResponseTranscript t = parseResponse(kInput);
  REQUIRE(t.events == std::vector<std::string>{"head 101", "complete close"});
  REQUIRE(t.consumed == kInput.size() - 4);
  REQUIRE_FALSE(t.keepAlive);
}
