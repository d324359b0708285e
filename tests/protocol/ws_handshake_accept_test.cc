// A valid opening handshake (RFC 6455 4.2.1) is answered with 101 and the Upgrade, Connection
// and Sec-WebSocket-Accept fields, the accept value computed as RFC 6455 4.2.2 says (checked
// against the RFC's own example, 1.3).
#include <catch2/catch.hpp>
#include <string>

#include "protocol/websocket_handshake.h"

using namespace closewise::protocol;

namespace {

Request handshake() {
  Request r;
  r.method = "GET";
  r.target = r.path = "/chat";
  r.headers = {{"Host", "server.example.com"},   {"Upgrade", "websocket"},
               {"Connection", "Upgrade"},        {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
               {"Origin", "http://example.com"}, {"Sec-WebSocket-Version", "13"}};
  return r;
}

}  // namespace

TEST_CASE("the accept value of RFC 6455's example") {
  REQUIRE(wsAcceptValue("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  // And one more, computed independently (python3: base64(sha1(key + GUID))).
  REQUIRE(wsAcceptValue("x3JJHMbDL1EzLkh9GBhXDw==") == "HSmrc0sMlYUkAGmm5OPpG2HaGWk=");
}

TEST_CASE("a valid handshake gets 101 with the fields it needs") {
  const WsHandshake answer = checkWsHandshake(handshake());
  REQUIRE(answer.status == 101);
  REQUIRE(answer.reason.empty());
  REQUIRE(answer.headers.size() == 3);
  REQUIRE(answer.headers[0].name == "Upgrade");
  REQUIRE(answer.headers[0].value == "websocket");
  REQUIRE(answer.headers[1].name == "Connection");
  REQUIRE(answer.headers[1].value == "Upgrade");
  REQUIRE(answer.headers[2].name == "Sec-WebSocket-Accept");
  REQUIRE(answer.headers[2].value == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  REQUIRE(answer.subprotocols.empty());
}

TEST_CASE("tokens are matched case-insensitively and inside lists") {
  Request r = handshake();
  r.headers[1].value = "WebSocket";
  r.headers[2].value = "keep-alive, UPGRADE";  // as Firefox sends it
  REQUIRE(checkWsHandshake(r).status == 101);
  r.headers[1].value = "foo/2, websocket";
  REQUIRE(checkWsHandshake(r).status == 101);
}
