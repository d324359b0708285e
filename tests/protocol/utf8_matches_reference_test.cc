// The UTF-8 validator agrees with a table-free reference decoder (utf8_reference.h) on every
// 1-, 2- and 3-byte input, on every 4-byte input that starts with a possible 4-byte lead, and on
// a large random corpus: after each byte, the validator has failed exactly when the reference
// says no continuation can make the bytes so far valid, and is complete exactly when the
// reference says they are valid.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/utf8.h"
#include "tests/protocol/utf8_reference.h"

using namespace closewise::protocol;
using closewise::testing::referenceUtf8;
using closewise::testing::Utf8Verdict;

namespace {

// The validator, fed `text` so far, says what the reference says about it.
bool agrees(const Utf8Validator& v, std::string_view text) {
  const Utf8Verdict expected = referenceUtf8(text);
  return v.failed() == (expected == Utf8Verdict::Invalid) &&
         v.complete() == (expected == Utf8Verdict::Valid);
}

// Feeds `input` one byte at a time and compares with the reference after every byte, then fed
// whole. Returns false at the first disagreement: a REQUIRE per byte would be far too slow for
// millions of inputs, so the caller requires the result and reports the input.
bool agreesByteByByte(std::string_view input) {
  Utf8Validator v;
  for (std::size_t i = 0; i < input.size(); ++i) {
    v.feed(input.data() + i, 1);
    if (!agrees(v, input.substr(0, i + 1))) return false;
  }
  return isValidUtf8(input) == (referenceUtf8(input) == Utf8Verdict::Valid);
}

std::string hex(std::string_view s) {
  std::string out;
  constexpr std::string_view kDigits = "0123456789abcdef";
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    out += kDigits[u >> 4];
    out += kDigits[u & 0xF];
    out += ' ';
  }
  return out;
}

// Every input of `length` bytes whose byte i runs over choices[i], each checked after its last
// byte with the validator fed the bytes before it one at a time (so every prefix is checked
// once, on the way) and also fed whole. Returns the first disagreement, or "".
std::string firstDisagreement(const std::vector<std::vector<unsigned char>>& choices,
                              std::size_t& valid) {
  std::string text;
  std::string found;
  auto walk = [&](auto&& self, const Utf8Validator& before, std::size_t depth) -> void {
    for (const unsigned char c : choices[depth]) {
      if (!found.empty()) return;
      text.push_back(static_cast<char>(c));
      Utf8Validator v = before;
      v.feed(text.data() + depth, 1);
      if (!agrees(v, text)) found = hex(text);
      if (depth + 1 < choices.size()) {
        self(self, v, depth + 1);
      } else {
        if (isValidUtf8(text) != v.complete()) found = hex(text);
        if (v.complete()) ++valid;
      }
      text.pop_back();
    }
  };
  walk(walk, Utf8Validator{}, 0);
  return found;
}

std::vector<unsigned char> range(int from, int to) {
  std::vector<unsigned char> out;
  for (int b = from; b <= to; ++b) out.push_back(static_cast<unsigned char>(b));
  return out;
}

// Any value up to 21 bits in the UTF-8 bit layout, surrogates and values past U+10FFFF
// included: the corpus needs invalid code points too.
void encode(std::uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | cp >> 6);
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | cp >> 12);
    out += static_cast<char>(0x80 | (cp >> 6 & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | cp >> 18);
    out += static_cast<char>(0x80 | (cp >> 12 & 0x3F));
    out += static_cast<char>(0x80 | (cp >> 6 & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// A short text of code points near every boundary the rules draw and of random ones, encoded,
// then corrupted now and then by a random byte, a dropped byte or a cut.
std::string nearUtf8(std::mt19937& rng) {
  constexpr std::uint32_t kEdges[] = {0x0,     0x7F,    0x80,    0x7FF,    0x800,   0xD7FF,
                                      0xD800,  0xDFFF,  0xE000,  0xFFFD,   0xFFFF,  0x10000,
                                      0x3FFFF, 0x40000, 0xFFFFF, 0x100000, 0x10FFFF};
  std::uniform_int_distribution<int> percent(0, 99);
  std::uniform_int_distribution<std::size_t> edge(0, std::size(kEdges) - 1);
  std::uniform_int_distribution<std::int64_t> jitter(-2, 2);
  std::uniform_int_distribution<std::uint32_t> anyValue(0, 0x1FFFFF);
  std::uniform_int_distribution<int> anyByte(0, 255);
  std::string text;
  const int count = 1 + percent(rng) % 12;
  for (int k = 0; k < count; ++k) {
    const int roll = percent(rng);
    if (roll < 40) {
      const std::int64_t near = std::int64_t{kEdges[edge(rng)]} + jitter(rng);
      encode(static_cast<std::uint32_t>(std::max<std::int64_t>(0, near)), text);
    } else if (roll < 80) {
      encode(anyValue(rng) % 0x110000, text);
    } else if (roll < 90) {
      text += static_cast<char>(anyByte(rng));
    } else if (roll < 95 && !text.empty()) {
      text.pop_back();
    } else {
      encode(anyValue(rng), text);  // up to U+1FFFFF: past the end of Unicode
    }
  }
  if (percent(rng) < 10 && !text.empty()) text.resize(percent(rng) % text.size());
  return text;
}

}  // namespace

TEST_CASE("every 1-, 2- and 3-byte input: validator and reference agree after every byte") {
  const std::vector<unsigned char> all = range(0, 255);
  std::size_t valid[3] = {0, 0, 0};
  for (std::size_t length = 1; length <= 3; ++length) {
    const std::string found =
        firstDisagreement(std::vector<std::vector<unsigned char>>(length, all), valid[length - 1]);
    INFO("first disagreement: " << found);
    REQUIRE(found.empty());
  }
  // A check on the check: the valid inputs, counted by hand. One byte: ASCII. Two: ASCII twice,
  // or a lead C2..DF and one of 64 continuation bytes. Three: ASCII three times, ASCII and a
  // 2-byte sequence in either order, or one 3-byte sequence: U+0800..U+FFFF less the surrogates.
  REQUIRE(valid[0] == 128);
  REQUIRE(valid[1] == 128 * 128 + 30 * 64);
  REQUIRE(valid[2] == 128 * 128 * 128 + 2 * 128 * 30 * 64 + (0x10000 - 0x800 - 0x800));
}

TEST_CASE("every 4-byte input with a 4-byte lead: validator and reference agree") {
  // F0..F7 covers the leads of 4-byte sequences and the F5..F7 that can never start one; the
  // last byte runs over the values where the rules change.
  const std::vector<unsigned char> last = {0x00, 0x7F, 0x80, 0x8F, 0x90,
                                           0x9F, 0xA0, 0xBF, 0xC0, 0xFF};
  std::size_t valid = 0;
  const std::string found =
      firstDisagreement({range(0xF0, 0xF7), range(0, 255), range(0, 255), last}, valid);
  INFO("first disagreement: " << found);
  REQUIRE(found.empty());
  // Every code point from U+10000 to U+10FFFF has one encoding; its last byte is one of the 64
  // values 80..BF, of which six are tried here (80, 8F, 90, 9F, A0 and BF).
  REQUIRE(valid == (0x110000 - 0x10000) / 64 * 6);
}

TEST_CASE("a random corpus of near-UTF-8 text: validator and reference agree") {
  std::mt19937 rng{20231};  // A fixed seed: a failure is reproducible.
  std::size_t valid = 0;
  std::size_t invalid = 0;
  std::string found;
  for (int n = 0; n < 200000; ++n) {
    const std::string text = nearUtf8(rng);
    if (found.empty() && !agreesByteByByte(text)) found = hex(text);
    (isValidUtf8(text) ? valid : invalid)++;
  }
  INFO("first disagreement: " << found);
  REQUIRE(found.empty());
  // The corpus exercises both answers, in quantity.
  REQUIRE(valid > 20000);
  REQUIRE(invalid > 20000);
}
