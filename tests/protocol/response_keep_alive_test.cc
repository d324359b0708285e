// Whether a connection may carry the next request after a response (RFC 9112 9.3): HTTP/1.1
// persists unless "Connection: close", HTTP/1.0 only with "Connection: keep-alive", and never
// after a close-delimited body or a switch to another protocol.
#include <catch2/catch.hpp>
#include <string>

#include "tests/protocol/response_feeding.h"

using namespace closewise::protocol;
using namespace closewise::testing;

namespace {

bool keepsAlive(std::string_view input) {
  FeedOptions options;
  options.eofAtEnd = false;
  const ResponseTranscript t = parseResponse(input, options);
  REQUIRE(t.events.back().rfind("complete", 0) == 0);
  return t.keepAlive;
}

}  // namespace

TEST_CASE("HTTP/1.1 persists unless Connection: close") {
  REQUIRE(keepsAlive("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
  REQUIRE_FALSE(keepsAlive("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"));
  // Options are case-insensitive tokens in a list, maybe over several field lines.
  REQUIRE_FALSE(
      keepsAlive("HTTP/1.1 200 OK\r\nConnection: Keep-Alive, CLOSE\r\n"
                 "Content-Length: 0\r\n\r\n"));
  REQUIRE_FALSE(
      keepsAlive("HTTP/1.1 200 OK\r\nConnection: te\r\nConnection: close\r\n"
                 "Content-Length: 0\r\n\r\n"));
  REQUIRE(keepsAlive("HTTP/1.1 200 OK\r\nConnection: closed\r\nContent-Length: 0\r\n\r\n"));
}

TEST_CASE("HTTP/1.0 persists only with Connection: keep-alive") {
  REQUIRE_FALSE(keepsAlive("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"));
  REQUIRE(keepsAlive("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n"));
}

TEST_CASE("a close-delimited body or a switch of protocol never persists") {
  ResponseParser parser{ResponseLimits{}};
  parser.expect("GET");
  constexpr std::string_view kUntilClose = "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\n\r\nbody";
  ResponseResult r = parser.feed(kUntilClose.data(), kUntilClose.size());
  REQUIRE(r.status == ResponseStatus::HeadComplete);
  r = parser.feed(kUntilClose.data() + r.consumed, kUntilClose.size() - r.consumed);
  REQUIRE(r.status == ResponseStatus::Body);
  REQUIRE(parser.finish() == ResponseStatus::MessageComplete);
  REQUIRE_FALSE(parser.keepAlive());

  REQUIRE_FALSE(
      keepsAlive("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                 "Connection: Upgrade\r\n\r\n"));
}

TEST_CASE("the answer is only given once the response is complete") {
  ResponseParser parser{ResponseLimits{}};
  parser.expect("GET");
  constexpr std::string_view kInput = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx";
  const ResponseResult r = parser.feed(kInput.data(), kInput.size());
  REQUIRE(r.status == ResponseStatus::HeadComplete);
  REQUIRE_FALSE(parser.keepAlive());
}
