// A handshake for a WebSocket version other than 13 is answered 426 with
// "Sec-WebSocket-Version: 13" (RFC 6455 4.2.2, 4.4), and the Upgrade field a 426 must carry
// (RFC 9110 15.5.22), so a client that speaks several versions can try again with ours.
#include <catch2/catch.hpp>
#include <string>

#include "protocol/websocket_handshake.h"

using namespace closewise::protocol;

TEST_CASE("a version other than 13 gets 426 naming 13") {
  for (const std::string_view version : {"8", "12", "14", "13, 8", "thirteen"}) {
    INFO(version);
    Request r;
    r.method = "GET";
    r.headers = {{"Host", "localhost"},
                 {"Upgrade", "websocket"},
                 {"Connection", "Upgrade"},
                 {"Sec-WebSocket-Version", std::string(version)},
                 {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}};
    const WsHandshake answer = checkWsHandshake(r);
    REQUIRE(answer.status == 426);
    REQUIRE(answer.reason == "unsupported websocket version");
    REQUIRE(answer.headers.size() == 2);
    REQUIRE(answer.headers[0].name == "Sec-WebSocket-Version");
    REQUIRE(answer.headers[0].value == "13");
    REQUIRE(answer.headers[1].name == "Upgrade");
    REQUIRE(answer.headers[1].value == "websocket");
  }
}
