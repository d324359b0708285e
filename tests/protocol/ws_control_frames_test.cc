// Control frames (RFC 6455 5.5): ping and pong carry up to 125 bytes of payload and are never
// fragmented; they may come between the fragments of a message (RFC 6455 5.4) and are handed
// out at once, the message after its last fragment.
#include <catch2/catch.hpp>
#include <string>

#include "tests/protocol/ws_feeding.h"

using namespace closewise::protocol;
using namespace closewise::testing;

TEST_CASE("pings and pongs hand out their payload, up to 125 bytes") {
  const std::string longest(125, 'z');
  REQUIRE(decodeFrames(clientFrame(WsOpcode::Ping, true, "") +
                       clientFrame(WsOpcode::Ping, true, longest) +
                       clientFrame(WsOpcode::Pong, true, "beat")) ==
          std::vector<std::string>{"ping ", "ping " + longest, "pong beat"});
}

TEST_CASE("a control frame over 125 bytes is a protocol error") {
  // Written by hand: the encoder refuses to write one. 126 announces a 16-bit length.
  std::string frame = "\x89\xFE";
  frame += std::string("\x00\x7E", 2);
  frame.append(reinterpret_cast<const char*>(kExampleMask.data()), 4);
  frame += std::string(126, 'x');
  REQUIRE(decodeFrames(frame) ==
          std::vector<std::string>{"error 1002 control frame over 125 bytes"});
}

TEST_CASE("a fragmented control frame is a protocol error") {
  for (const WsOpcode opcode : {WsOpcode::Ping, WsOpcode::Pong, WsOpcode::Close}) {
    std::string frame = clientFrame(WsOpcode::Text, true, "x");
    frame[0] = static_cast<char>(static_cast<int>(opcode));  // FIN clear
    REQUIRE(decodeFrames(frame) == std::vector<std::string>{"error 1002 fragmented control frame"});
  }
}

TEST_CASE("control frames between fragments are handed out first") {
  const std::string input =
      clientFrame(WsOpcode::Text, false, "Hel") + clientFrame(WsOpcode::Ping, true, "p1") +
      clientFrame(WsOpcode::Continuation, false, "lo, ") + clientFrame(WsOpcode::Pong, true, "p2") +
      clientFrame(WsOpcode::Continuation, true, "world");
  REQUIRE(decodeFrames(input) ==
          std::vector<std::string>{"ping p1", "pong p2", "text Hello, world"});
}
