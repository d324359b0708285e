// A request that misses or breaks any part of the opening handshake (RFC 6455 4.2.1) gets a
// 400 naming what: not a GET, not HTTP/1.1, no Host, no Upgrade: websocket, no Connection
// option "upgrade", no Sec-WebSocket-Version, and a missing, repeated or malformed
// Sec-WebSocket-Key (not the base64 of exactly 16 bytes).
#include <catch2/catch.hpp>
#include <functional>
#include <string>

#include "protocol/websocket_handshake.h"

using namespace closewise::protocol;

namespace {

Request handshake() {
  Request r;
  r.method = "GET";
  r.target = r.path = "/ws/echo";
  r.headers = {{"Host", "localhost"},
               {"Upgrade", "websocket"},
               {"Connection", "Upgrade"},
               {"Sec-WebSocket-Version", "13"},
               {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}};
  return r;
}

void erase(Request& r, std::string_view name) {
  std::erase_if(r.headers, [&](const Header& h) { return equalsIgnoreCase(h.name, name); });
}

std::string_view refusal(const std::function<void(Request&)>& change) {
  Request r = handshake();
  change(r);
  const WsHandshake answer = checkWsHandshake(r);
  REQUIRE(answer.status == 400);
  REQUIRE(answer.headers.empty());
  return answer.reason;
}

}  // namespace

TEST_CASE("the request line must be GET in HTTP/1.1") {
  REQUIRE(refusal([](Request& r) { r.method = "POST"; }) == "websocket handshake not a GET");
  REQUIRE(refusal([](Request& r) { r.method = "get"; }) == "websocket handshake not a GET");
  REQUIRE(refusal([](Request& r) { r.versionMinor = 0; }) == "websocket handshake not HTTP/1.1");
  REQUIRE(refusal([](Request& r) { erase(r, "host"); }) == "websocket handshake without host");
}

TEST_CASE("Upgrade must name websocket and Connection must hold upgrade") {
  REQUIRE(refusal([](Request& r) { erase(r, "upgrade"); }) == "no upgrade to websocket");
  REQUIRE(refusal([](Request& r) { r.headers[1].value = "h2c"; }) == "no upgrade to websocket");
  REQUIRE(refusal([](Request& r) { r.headers[1].value = "websockets"; }) ==
          "no upgrade to websocket");
  REQUIRE(refusal([](Request& r) { erase(r, "connection"); }) == "no upgrade connection option");
  REQUIRE(refusal([](Request& r) { r.headers[2].value = "keep-alive"; }) ==
          "no upgrade connection option");
  REQUIRE(refusal([](Request& r) { r.headers[2].value = "upgrades"; }) ==
          "no upgrade connection option");
}

TEST_CASE("Sec-WebSocket-Version must be there, once") {
  REQUIRE(refusal([](Request& r) { erase(r, "sec-websocket-version"); }) ==
          "no sec-websocket-version");
  REQUIRE(refusal([](Request& r) {
            r.headers.push_back({"Sec-WebSocket-Version", "13"});
          }) == "more than one sec-websocket-version");
}

TEST_CASE("Sec-WebSocket-Key must be there, once") {
  REQUIRE(refusal([](Request& r) { erase(r, "sec-websocket-key"); }) == "no sec-websocket-key");
  REQUIRE(refusal([](Request& r) {
            r.headers.push_back({"Sec-WebSocket-Key", "AQIDBAUGBwgJCgsMDQ4PEA=="});
          }) == "more than one sec-websocket-key");
}

TEST_CASE("Sec-WebSocket-Key must be the base64 of exactly 16 bytes") {
  for (const std::string_view key : {
           "",
           "dGhlIHNhbXBsZSBub25jZQ",        // no padding
           "dGhlIHNhbXBsZSBub25jZQ=",       // half the padding
           "dGhlIHNhbXBsZSBub25jZQ===",     // too much
           "dGhlIHNhbXBsZSBub25jZSE=",      // 17 bytes
           "dGhlIHNhbXBsZSBub25j",          // 15 bytes
           "dGhlIHNhbXBsZSBub25jZR==",      // bits left in the padding: not the canonical form
           "dGhlIHNhbXBsZSBub25jZQ$$",      // characters outside the alphabet
           "dGhlIHNhbXBsZSBub2 5jZQ==",     // a space inside
           "dGhlIHNhbXBsZSBub25jZ=Q=",      // padding in the middle
           "AQIDBAUGBwgJCgsMDQ4PEBESExQ=",  // 20 bytes: 28 characters
       }) {
    INFO(key);
    REQUIRE(refusal([&](Request& r) { r.headers[4].value = std::string(key); }) ==
            "sec-websocket-key not 16 bytes in base64");
  }
}
