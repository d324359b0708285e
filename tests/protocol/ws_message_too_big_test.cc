// A message larger than maxMessageBytes is refused with 1009 (RFC 6455 7.4.1) as soon as a
// frame header announces it, before any of its payload is buffered, whether it comes in one
// frame or adds up over fragments.
#include <catch2/catch.hpp>
#include <string>

#include "tests/protocol/ws_feeding.h"

using namespace closewise::protocol;
using namespace closewise::testing;

namespace {

const WsOptions kLimit100{WsRole::Server, 100};

}  // namespace

TEST_CASE("a message of exactly the limit is accepted") {
  const std::string payload(100, 'm');
  REQUIRE(decodeFrames(clientText(payload), kLimit100) ==
          std::vector<std::string>{"text " + payload});
  REQUIRE(decodeFrames(clientFrame(WsOpcode::Text, false, std::string(60, 'm')) +
                           clientFrame(WsOpcode::Continuation, true, std::string(40, 'm')),
                       kLimit100) == std::vector<std::string>{"text " + payload});
}

TEST_CASE("a frame announcing more than the limit is refused at its header") {
  const std::string frame = clientText(std::string(101, 'm'));
  REQUIRE(decodeFrames(frame, kLimit100) == std::vector<std::string>{"error 1009 message too big"});
  // The header alone is enough: no payload byte has to arrive.
  WsFrameDecoder decoder{WsRole::Server, 100};
  const WsDecodeResult r = decoder.feed(frame.data(), 6);  // 2 header bytes + mask
  REQUIRE(r.event == WsEvent::Error);
  REQUIRE(decoder.closeCode() == kWsCloseMessageTooBig);
  // A 64-bit length far beyond any memory is refused the same way.
  std::string huge = "\x82\xFF";
  huge += std::string("\x00\x00\x01\x00\x00\x00\x00\x00", 8);
  huge.append(reinterpret_cast<const char*>(kExampleMask.data()), 4);
  REQUIRE(decodeFrames(huge, kLimit100) == std::vector<std::string>{"error 1009 message too big"});
}

TEST_CASE("fragments adding up to more than the limit are refused at the header that does it") {
  const std::string input = clientFrame(WsOpcode::Binary, false, std::string(60, 'a')) +
                            clientFrame(WsOpcode::Continuation, false, std::string(40, 'b')) +
                            clientFrame(WsOpcode::Continuation, true, "c");
  REQUIRE(decodeFrames(input, kLimit100) == std::vector<std::string>{"error 1009 message too big"});
}

TEST_CASE("control frames do not count against a message's size") {
  const std::string input = clientFrame(WsOpcode::Text, false, std::string(90, 'a')) +
                            clientFrame(WsOpcode::Ping, true, std::string(100, 'p')) +
                            clientFrame(WsOpcode::Continuation, true, std::string(10, 'b'));
  REQUIRE(decodeFrames(input, kLimit100) ==
          std::vector<std::string>{"ping " + std::string(100, 'p'),
                                   "text " + std::string(90, 'a') + std::string(10, 'b')});
}
