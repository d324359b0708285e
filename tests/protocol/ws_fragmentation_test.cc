// A fragmented message (RFC 6455 5.4) is a Text or Binary frame without FIN, continuation
// frames, and a last one with FIN; the decoder hands it out whole. A continuation with no
// message begun, or a new message before the last fragment, is a protocol error.
#include <catch2/catch.hpp>
#include <string>

#include "tests/protocol/ws_feeding.h"

using namespace closewise::protocol;
using namespace closewise::testing;

TEST_CASE("fragments are put together into one message") {
  REQUIRE(decodeFrames(clientFrame(WsOpcode::Text, false, "one ") +
                       clientFrame(WsOpcode::Continuation, false, "") +
                       clientFrame(WsOpcode::Continuation, false, "two ") +
                       clientFrame(WsOpcode::Continuation, true, "three")) ==
          std::vector<std::string>{"text one two three"});
  REQUIRE(decodeFrames(clientFrame(WsOpcode::Binary, false, std::string("\0\1", 2)) +
                       clientFrame(WsOpcode::Continuation, true, std::string("\2", 1))) ==
          std::vector<std::string>{"binary " + std::string("\0\1\2", 3)});
}

TEST_CASE("messages follow one another, each whole") {
  REQUIRE(decodeFrames(clientText("first") + clientFrame(WsOpcode::Binary, false, "sec") +
                       clientFrame(WsOpcode::Continuation, true, "ond") + clientText("")) ==
          std::vector<std::string>{"text first", "binary second", "text "});
}

TEST_CASE("a continuation frame without a message begun is a protocol error") {
  REQUIRE(decodeFrames(clientFrame(WsOpcode::Continuation, true, "orphan")) ==
          std::vector<std::string>{"error 1002 continuation frame without a message"});
  // Also right after a complete message.
  REQUIRE(decodeFrames(clientText("done") + clientFrame(WsOpcode::Continuation, true, "x")) ==
          std::vector<std::string>{"text done", "error 1002 continuation frame without a message"});
}

TEST_CASE("a new message before the last fragment is a protocol error") {
  for (const WsOpcode opcode : {WsOpcode::Text, WsOpcode::Binary}) {
    REQUIRE(decodeFrames(clientFrame(WsOpcode::Text, false, "half") +
                         clientFrame(opcode, true, "other")) ==
            std::vector<std::string>{"error 1002 new message inside a fragmented message"});
  }
}
