// The subprotocols a client offers in Sec-WebSocket-Protocol (RFC 6455 4.1, 4.2.1 item 8) are
// handed to the handler in the client's order, from every field line; an element that is not a
// token makes the handshake a 400.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "protocol/websocket_handshake.h"

using namespace closewise::protocol;

namespace {

Request handshake(std::vector<Header> extra) {
  Request r;
  r.method = "GET";
  r.headers = {{"Host", "localhost"},
               {"Upgrade", "websocket"},
               {"Connection", "Upgrade"},
               {"Sec-WebSocket-Version", "13"},
               {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}};
  for (Header& h : extra) r.headers.push_back(std::move(h));
  return r;
}

}  // namespace

TEST_CASE("offered subprotocols are listed in the client's order") {
  const WsHandshake answer = checkWsHandshake(handshake(
      {{"Sec-WebSocket-Protocol", "chat.v2, chat"}, {"sec-websocket-protocol", " mqtt ,"}}));
  REQUIRE(answer.status == 101);
  REQUIRE(answer.subprotocols == std::vector<std::string>{"chat.v2", "chat", "mqtt"});
}

TEST_CASE("no Sec-WebSocket-Protocol: no subprotocols") {
  REQUIRE(checkWsHandshake(handshake({})).subprotocols.empty());
}

TEST_CASE("a subprotocol that is not a token is a 400") {
  for (const std::string_view value : {"chat room", "chat/1", "\"chat\"", "a;b"}) {
    INFO(value);
    const WsHandshake answer =
        checkWsHandshake(handshake({{"Sec-WebSocket-Protocol", std::string(value)}}));
    REQUIRE(answer.status == 400);
    REQUIRE(answer.reason == "invalid sec-websocket-protocol");
  }
}
