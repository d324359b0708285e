// With no extension negotiated, a frame with any RSV bit set is a protocol error, and so is an
// opcode RFC 6455 5.2 reserves (3-7, B-F): 1002.
#include <catch2/catch.hpp>
#include <string>

#include "tests/protocol/ws_feeding.h"

using namespace closewise::protocol;
using namespace closewise::testing;

TEST_CASE("any RSV bit set is a protocol error") {
  for (const unsigned char rsv : {0x40, 0x20, 0x10, 0x70}) {
    INFO("rsv bits " << int(rsv));
    std::string frame = clientText("hi");
    frame[0] = static_cast<char>(frame[0] | rsv);
    REQUIRE(decodeFrames(frame) == std::vector<std::string>{"error 1002 reserved bits set"});
  }
}

TEST_CASE("a reserved opcode is a protocol error") {
  for (const unsigned char opcode : {0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF}) {
    INFO("opcode " << int(opcode));
    std::string frame = clientText("");
    frame[0] = static_cast<char>(0x80 | opcode);
    REQUIRE(decodeFrames(frame) == std::vector<std::string>{"error 1002 unknown opcode"});
  }
}

TEST_CASE("the error comes with the header's first two bytes, before the rest arrives") {
  WsFrameDecoder decoder{WsRole::Server, 1 << 20};
  const WsDecodeResult r = decoder.feed("\xC1\x85", 2);  // RSV1 and a 5-byte payload announced
  REQUIRE(r.event == WsEvent::Error);
  REQUIRE(decoder.closeCode() == kWsCloseProtocolError);
  REQUIRE(decoder.feed("more", 4).event == WsEvent::Error);  // and for good
}
