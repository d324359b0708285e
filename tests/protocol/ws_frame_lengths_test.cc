// Payload lengths come in three forms (RFC 6455 5.2): 7 bits up to 125, 16 bits up to 65535,
// 64 bits beyond, always the shortest that fits ("the minimal number of bytes MUST be used"),
// and the 64-bit form with its most significant bit 0. Anything else is a 1002.
#include <catch2/catch.hpp>
#include <string>

#include "tests/protocol/ws_feeding.h"

using namespace closewise::protocol;
using namespace closewise::testing;

namespace {

// A masked binary frame whose length field is written out by hand: `lengthBytes` after the
// 7-bit marker (nothing, 2 bytes or 8 bytes).
std::string frameWithLength(std::uint8_t length7, std::string_view lengthBytes,
                            std::string_view payload) {
  std::string out;
  out += '\x82';
  out += static_cast<char>(0x80 | length7);
  out += lengthBytes;
  out.append(reinterpret_cast<const char*>(kExampleMask.data()), 4);
  const std::size_t start = out.size();
  out += payload;
  applyWsMask(out.data() + start, payload.size(), kExampleMask, 0);
  return out;
}

}  // namespace

TEST_CASE("each length form carries its payload, at the edges of each") {
  for (const std::size_t size : {0, 1, 125, 126, 127, 65535, 65536, 70000}) {
    INFO("payload of " << size);
    const std::string payload(size, 'p');
    const std::string frame = clientFrame(WsOpcode::Binary, true, payload);
    const std::size_t headerSize = size < 126 ? 2 + 4 : size <= 0xFFFF ? 4 + 4 : 10 + 4;
    REQUIRE(frame.size() == headerSize + size);
    const WsTranscript t = feedFrames(frame, Feeding::Whole);
    REQUIRE(t.events == std::vector<std::string>{"binary " + payload});
  }
  // Byte by byte too, on the forms' edges (the large ones are slow fed one byte at a time).
  for (const std::size_t size : {125, 126, 65536}) {
    const std::string payload(size, 'q');
    REQUIRE(decodeFrames(clientFrame(WsOpcode::Binary, true, payload)) ==
            std::vector<std::string>{"binary " + payload});
  }
}

TEST_CASE("a length not in its shortest form is a protocol error") {
  // 125 in the 16-bit form, 0 in the 16-bit form, 65535 in the 64-bit form.
  for (const std::string& frame :
       {frameWithLength(126, std::string("\x00\x7D", 2), "x"),
        frameWithLength(126, std::string("\x00\x00", 2), ""),
        frameWithLength(127, std::string("\0\0\0\0\0\0\xFF\xFF", 8), "")}) {
    REQUIRE(decodeFrames(frame) ==
            std::vector<std::string>{"error 1002 payload length not in its shortest form"});
  }
}

TEST_CASE("a 64-bit length with its top bit set is a protocol error") {
  const std::string frame = frameWithLength(127, std::string("\x80\0\0\0\0\0\0\x01", 8), "");
  REQUIRE(decodeFrames(frame, WsOptions{WsRole::Server, ~std::size_t{0}}) ==
          std::vector<std::string>{"error 1002 payload length with its top bit set"});
}
