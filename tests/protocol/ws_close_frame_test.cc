// A close frame's payload (RFC 6455 5.5.1, 7.4) is empty (recorded as 1005) or a code a close
// frame may carry followed by a UTF-8 reason. Other codes and a one-byte payload are 1002, a
// reason that is not UTF-8 is 1007. After a close frame the decoder takes nothing more.
#include <catch2/catch.hpp>
#include <string>

#include "tests/protocol/ws_feeding.h"

using namespace closewise::protocol;
using namespace closewise::testing;

namespace {

std::string closeWith(std::uint16_t code, std::string_view reason) {
  std::string payload;
  payload += static_cast<char>(code >> 8);
  payload += static_cast<char>(code & 0xFF);
  payload += reason;
  return clientFrame(WsOpcode::Close, true, payload);
}

}  // namespace

TEST_CASE("an empty close frame is recorded as 1005") {
  REQUIRE(decodeFrames(clientFrame(WsOpcode::Close, true, "")) ==
          std::vector<std::string>{"close 1005 "});
}

TEST_CASE("a close code and a reason are handed out") {
  REQUIRE(decodeFrames(closeWith(1000, "bye")) == std::vector<std::string>{"close 1000 bye"});
  REQUIRE(decodeFrames(closeWith(1001, "")) == std::vector<std::string>{"close 1001 "});
  REQUIRE(decodeFrames(closeWith(4999, "caf\xC3\xA9")) ==
          std::vector<std::string>{"close 4999 caf\xC3\xA9"});
}

TEST_CASE("only the codes a close frame may carry are accepted") {
  for (const std::uint16_t code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013,
                                   1014, 3000, 3999, 4000, 4999}) {
    INFO(code);
    REQUIRE(decodeFrames(closeWith(code, "")) ==
            std::vector<std::string>{"close " + std::to_string(code) + " "});
  }
  for (const std::uint16_t code :
       {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535}) {
    INFO(code);
    REQUIRE(decodeFrames(closeWith(code, "")) ==
            std::vector<std::string>{"error 1002 invalid close code"});
  }
}

TEST_CASE("a one-byte close payload is 1002, a reason not in UTF-8 is 1007") {
  REQUIRE(decodeFrames(clientFrame(WsOpcode::Close, true, "\x03")) ==
          std::vector<std::string>{"error 1002 close frame with a one-byte payload"});
  REQUIRE(decodeFrames(closeWith(1000, "bad \xFF")) ==
          std::vector<std::string>{"error 1007 close reason not utf-8"});
  REQUIRE(decodeFrames(closeWith(1000, "cut \xE2\x82")) ==
          std::vector<std::string>{"error 1007 close reason not utf-8"});
}

TEST_CASE("nothing after a close frame is taken") {
  const std::string close = closeWith(1000, "");
  const std::string input = close + clientText("late");
  const WsTranscript t = feedFrames(input, Feeding::Whole);
  REQUIRE(t.events == std::vector<std::string>{"close 1000 "});
  REQUIRE(t.consumed == close.size());
  REQUIRE(decodeFrames(input) == std::vector<std::string>{"close 1000 "});
  // Fed what follows anyway, the decoder takes none of it and says Close again.
  WsFrameDecoder decoder{WsRole::Server, 1 << 20};
  REQUIRE(decoder.feed(input.data(), input.size()).consumed == close.size());
  const WsDecodeResult after =
      decoder.feed(input.data() + close.size(), input.size() - close.size());
  REQUIRE(after.event == WsEvent::Close);
  REQUIRE(after.consumed == 0);
}
