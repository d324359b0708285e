// Frames we write: the header in the shortest length form, unmasked for a server and masked
// with the given key for a client (RFC 6455 5.2, 5.3); a close payload with its code and a
// reason cut to 123 bytes at a character boundary. What we write, the decoder reads back.
#include <array>
#include <catch2/catch.hpp>
#include <string>

#include "protocol/websocket_frame.h"
#include "tests/protocol/ws_feeding.h"

using namespace closewise::protocol;
using namespace closewise::testing;

namespace {

std::string header(WsOpcode opcode, bool fin, std::uint64_t length, const WsMaskKey* mask) {
  std::array<char, kWsMaxFrameHeader> out{};
  return std::string(out.data(), writeWsFrameHeader(out, opcode, fin, length, mask));
}

}  // namespace

TEST_CASE("a server frame header uses the shortest length form and no mask") {
  REQUIRE(header(WsOpcode::Text, true, 5, nullptr) == "\x81\x05");
  REQUIRE(header(WsOpcode::Binary, false, 125, nullptr) == "\x02\x7D");
  REQUIRE(header(WsOpcode::Binary, true, 126, nullptr) == std::string("\x82\x7E\x00\x7E", 4));
  REQUIRE(header(WsOpcode::Binary, true, 65535, nullptr) == "\x82\x7E\xFF\xFF");
  REQUIRE(header(WsOpcode::Binary, true, 65536, nullptr) ==
          std::string("\x82\x7F\x00\x00\x00\x00\x00\x01\x00\x00", 10));
  REQUIRE(header(WsOpcode::Continuation, true, 0, nullptr) == std::string("\x80\x00", 2));
  REQUIRE(header(WsOpcode::Pong, true, 3, nullptr) == "\x8A\x03");
}

TEST_CASE("a client frame header carries the mask bit and key") {
  REQUIRE(header(WsOpcode::Text, true, 5, &kExampleMask) == "\x81\x85\x37\xfa\x21\x3d");
  // RFC 6455 5.7's masked "Hello", written by appendWsFrame.
  std::string frame;
  appendWsFrame(frame, WsOpcode::Text, true, "Hello", &kExampleMask);
  REQUIRE(frame == "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58");
}

TEST_CASE("server frames are read back by a client, client frames by a server") {
  std::string serverFrames;
  appendWsFrame(serverFrames, WsOpcode::Text, false, "to ");
  appendWsFrame(serverFrames, WsOpcode::Ping, true, "are you there");
  appendWsFrame(serverFrames, WsOpcode::Continuation, true, std::string(70000, 'x'));
  REQUIRE(feedFrames(serverFrames, Feeding::Whole, WsOptions{WsRole::Client, 1 << 20}).events ==
          std::vector<std::string>{"ping are you there", "text to " + std::string(70000, 'x')});
  const std::string clientFrames =
      clientFrame(WsOpcode::Binary, true, "bytes") + clientFrame(WsOpcode::Pong, true, "yes");
  REQUIRE(decodeFrames(clientFrames) == std::vector<std::string>{"binary bytes", "pong yes"});
}

TEST_CASE("a close payload is the code and the reason") {
  std::array<char, kWsMaxControlPayload> out{};
  const std::size_t n = writeWsClosePayload(out, kWsCloseGoingAway, "server restart");
  REQUIRE(std::string(out.data(), n) == "\x03\xE9server restart");
  std::string frame;
  appendWsFrame(frame, WsOpcode::Close, true, std::string_view(out.data(), n));
  REQUIRE(feedFrames(frame, Feeding::Whole, WsOptions{WsRole::Client, 1 << 20}).events ==
          std::vector<std::string>{"close 1001 server restart"});
}

TEST_CASE("a long close reason is cut to 123 bytes, never inside a character") {
  std::array<char, kWsMaxControlPayload> out{};
  // 122 ASCII bytes then a 2-byte character: it does not fit whole, so it is dropped.
  const std::string reason = std::string(122, 'r') + "\xC3\xA9" + "more";
  std::size_t n = writeWsClosePayload(out, kWsCloseNormal, reason);
  REQUIRE(n == 2 + 122);
  REQUIRE(std::string_view(out.data() + 2, n - 2) == std::string(122, 'r'));
  // 121 ASCII bytes then the same character: it ends exactly at 123 and is kept.
  n = writeWsClosePayload(out, kWsCloseNormal, std::string(121, 'r') + "\xC3\xA9" + "more");
  REQUIRE(n == 2 + 123);
  REQUIRE(isValidUtf8(std::string_view(out.data() + 2, n - 2)));
  // A 4-byte character straddling the cut goes whole.
  n = writeWsClosePayload(out, kWsCloseNormal, std::string(121, 'r') + "\xF0\x9F\x98\x80");
  REQUIRE(n == 2 + 121);
}
