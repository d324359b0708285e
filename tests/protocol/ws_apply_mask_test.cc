// applyWsMask XORs a word at a time; it must give what the byte-by-byte rule of RFC 6455 5.3
// gives ("octet i of the transformed data is octet i of the original XOR octet i MOD 4 of the
// masking key") for every length, every alignment of the data and every offset into the key.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "protocol/websocket_frame.h"

using namespace closewise::protocol;

TEST_CASE("masking agrees with the RFC's rule at every length, alignment and offset") {
  const WsMaskKey key = {0x37, 0xfa, 0x21, 0x3d};
  std::vector<char> buffer(64 + 8);
  for (std::size_t align = 0; align < 8; ++align) {
    for (std::size_t len = 0; len <= 40; ++len) {
      for (std::uint64_t offset = 0; offset < 8; ++offset) {
        char* data = buffer.data() + align;
        for (std::size_t i = 0; i < len; ++i) data[i] = static_cast<char>(i * 7 + align);
        applyWsMask(data, len, key, offset);
        for (std::size_t i = 0; i < len; ++i) {
          const auto expected =
              static_cast<char>(static_cast<char>(i * 7 + align) ^ key[(offset + i) % 4]);
          if (data[i] != expected) {
            FAIL("align " << align << " len " << len << " offset " << offset << " byte " << i);
          }
        }
      }
    }
  }
}

TEST_CASE("a payload masked in pieces equals one masked whole") {
  const WsMaskKey key = {0xde, 0xad, 0xbe, 0xef};
  const std::string original = "The quick brown fox jumps over the lazy dog, twice over.";
  std::string whole = original;
  applyWsMask(whole.data(), whole.size(), key, 0);
  for (std::size_t cut = 0; cut <= original.size(); ++cut) {
    std::string pieces = original;
    applyWsMask(pieces.data(), cut, key, 0);
    applyWsMask(pieces.data() + cut, pieces.size() - cut, key, cut);
    REQUIRE(pieces == whole);
  }
  // Masking twice gives the original back.
  applyWsMask(whole.data(), whole.size(), key, 0);
  REQUIRE(whole == original);
}
