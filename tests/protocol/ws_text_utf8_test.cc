// A text message must be UTF-8 (RFC 6455 5.6), across all its fragments; the connection is
// failed with 1007 as soon as its bytes cannot be (RFC 6455 8.1), not when the message ends.
// Binary messages are not checked.
#include <catch2/catch.hpp>
#include <string>

#include "tests/protocol/ws_feeding.h"

using namespace closewise::protocol;
using namespace closewise::testing;

TEST_CASE("valid UTF-8 split across fragments is one valid message") {
  // U+1F600 (4 bytes) and U+20AC (3 bytes) cut in the middle by fragment boundaries.
  REQUIRE(decodeFrames(clientFrame(WsOpcode::Text, false, "smile \xF0\x9F") +
                       clientFrame(WsOpcode::Continuation, false, "\x98") +
                       clientFrame(WsOpcode::Continuation, true, "\x80 costs 5\xE2\x82\xAC")) ==
          std::vector<std::string>{"text smile \xF0\x9F\x98\x80 costs 5\xE2\x82\xAC"});
}

TEST_CASE("invalid UTF-8 in a text message is 1007") {
  for (const std::string_view text : {"\xFF", "ab\xC0\x80", "\xED\xA0\x80", "\xF4\x90\x80\x80"}) {
    INFO(text);
    REQUIRE(decodeFrames(clientText(text)) ==
            std::vector<std::string>{"error 1007 text message not utf-8"});
  }
}

TEST_CASE("a text message that ends inside a character is 1007") {
  REQUIRE(decodeFrames(clientText("cut \xE2\x82")) ==
          std::vector<std::string>{"error 1007 text message not utf-8"});
  REQUIRE(decodeFrames(clientFrame(WsOpcode::Text, false, "cut \xE2") +
                       clientFrame(WsOpcode::Continuation, true, "\x82")) ==
          std::vector<std::string>{"error 1007 text message not utf-8"});
}

TEST_CASE("the failure comes at the bad byte, before the frame or message ends") {
  WsFrameDecoder decoder{WsRole::Server, 1 << 20};
  const std::string frame = clientText("fine so far \xFF and then much more text");
  // Feed the header and the payload up to and including the bad byte only.
  const std::size_t upToBad = 6 + std::string_view("fine so far ").size() + 1;
  const WsDecodeResult r = decoder.feed(frame.data(), upToBad);
  REQUIRE(r.event == WsEvent::Error);
  REQUIRE(decoder.closeCode() == kWsCloseInvalidPayload);
  // And in a first fragment, before the message's last one is even sent.
  REQUIRE(decodeFrames(clientFrame(WsOpcode::Text, false, "\xC3\x28")) ==
          std::vector<std::string>{"error 1007 text message not utf-8"});
}

TEST_CASE("binary messages are not checked") {
  REQUIRE(decodeFrames(clientFrame(WsOpcode::Binary, true, "\xFF\xC0")) ==
          std::vector<std::string>{"binary \xFF\xC0"});
}
