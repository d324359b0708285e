// A server fails a frame from a client that is not masked, and a client a frame from a server
// that is (RFC 6455 5.1); masked payloads are unmasked with their key (RFC 6455 5.3), checked
// here against the examples of RFC 6455 5.7.
#include <catch2/catch.hpp>
#include <string>

#include "tests/protocol/ws_feeding.h"

using namespace closewise::protocol;
using namespace closewise::testing;

namespace {

// RFC 6455 5.7: "A single-frame masked text message" and "A single-frame unmasked text
// message", both "Hello".
const std::string kMaskedHello = "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58";
const std::string kUnmaskedHello = "\x81\x05\x48\x65\x6c\x6c\x6f";

const WsOptions kClient{WsRole::Client, 1 << 20};

}  // namespace

TEST_CASE("a server reads the masked frames of the RFC's example") {
  REQUIRE(decodeFrames(kMaskedHello) == std::vector<std::string>{"text Hello"});
  // RFC 6455 5.7: a masked ping with "Hello" as its payload... as a client would send it.
  REQUIRE(decodeFrames(clientFrame(WsOpcode::Ping, true, "Hello")) ==
          std::vector<std::string>{"ping Hello"});
}

TEST_CASE("a server fails an unmasked frame with 1002") {
  REQUIRE(decodeFrames(kUnmaskedHello) ==
          std::vector<std::string>{"error 1002 unmasked frame from a client"});
  // Control frames too: RFC 6455 5.7's unmasked ping.
  REQUIRE(decodeFrames("\x89\x05Hello") ==
          std::vector<std::string>{"error 1002 unmasked frame from a client"});
}

TEST_CASE("a client reads unmasked frames and fails a masked one with 1002") {
  REQUIRE(decodeFrames(kUnmaskedHello, kClient) == std::vector<std::string>{"text Hello"});
  REQUIRE(decodeFrames(kMaskedHello, kClient) ==
          std::vector<std::string>{"error 1002 masked frame from a server"});
}

TEST_CASE("the key is applied from the payload's first byte in every frame") {
  // Two frames with different keys: each payload starts at key byte 0.
  std::string input;
  const WsMaskKey other = {0x01, 0x02, 0x03, 0x04};
  appendWsFrame(input, WsOpcode::Text, false, "abcde", &kExampleMask);
  appendWsFrame(input, WsOpcode::Continuation, true, "fghij", &other);
  REQUIRE(decodeFrames(input) == std::vector<std::string>{"text abcdefghij"});
}
