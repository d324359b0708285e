// Request::keepAlive follows RFC 9112 9.3: HTTP/1.1 persists unless a "close" connection option
// is sent; HTTP/1.0 persists only with "keep-alive". Options are case-insensitive list tokens.
#include <catch2/catch.hpp>
#include <string>
#include <string_view>

#include "protocol/request_parser.h"

using namespace closewise::protocol;

namespace {

bool keepAliveOf(std::string_view version, std::string_view connectionLines) {
  RequestParser parser{Limits{}};
  const std::string input = "GET / HTTP/" + std::string(version) + "\r\nHost: a\r\n" +
                            std::string(connectionLines) + "\r\n";
  const ParseResult r = parser.feed(input.data(), input.size());
  REQUIRE(r.status == ParseStatus::MessageComplete);
  return parser.request().keepAlive;
}

}  // namespace

TEST_CASE("HTTP/1.1 keeps the connection unless the client sends close") {
  REQUIRE(keepAliveOf("1.1", ""));
  REQUIRE(keepAliveOf("1.1", "Connection: keep-alive\r\n"));
  REQUIRE(keepAliveOf("1.1", "Connection: Upgrade\r\nUpgrade: websocket\r\n"));
  REQUIRE_FALSE(keepAliveOf("1.1", "Connection: close\r\n"));
  REQUIRE_FALSE(keepAliveOf("1.1", "Connection: CLOSE\r\n"));
  REQUIRE_FALSE(keepAliveOf("1.1", "Connection: Upgrade, close\r\n"));
  REQUIRE_FALSE(keepAliveOf("1.1", "Connection: te\r\nConnection: close\r\n"));
  REQUIRE(keepAliveOf("1.1", "Connection: closed\r\n"));  // A different token.
}

TEST_CASE("HTTP/1.0 keeps the connection only when the client asks for keep-alive") {
  REQUIRE_FALSE(keepAliveOf("1.0", ""));
  REQUIRE(keepAliveOf("1.0", "Connection: keep-alive\r\n"));
  REQUIRE(keepAliveOf("1.0", "Connection: Keep-Alive, Upgrade\r\n"));
  REQUIRE_FALSE(keepAliveOf("1.0", "Connection: keep-alive, close\r\n"));
}

TEST_CASE("a CONNECT request never keeps the connection") {
  RequestParser parser{Limits{}};
  constexpr std::string_view kInput =
      "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\nTUNNEL";
  const ParseResult r = parser.feed(kInput.data(), kInput.size());
  REQUIRE(r.status == ParseStatus::MessageComplete);
  REQUIRE(r.consumed == kInput.size() - 6);
  REQUIRE(parser.request().method == "CONNECT");
  REQUIRE(parser.request().target == "example.com:443");
  REQUIRE_FALSE(parser.request().keepAlive);
}
