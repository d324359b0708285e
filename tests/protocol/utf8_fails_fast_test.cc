// The UTF-8 validator fails at the first byte no continuation could make valid (RFC 6455 8.1
// fails a WebSocket text message there, not at its end), carries an unfinished sequence from
// one feed() to the next, and rejects overlongs, surrogates and code points past U+10FFFF
// (RFC 3629 3).
#include <catch2/catch.hpp>
#include <string>
#include <string_view>

#include "protocol/utf8.h"

using namespace closewise::protocol;

namespace {

// The index of the byte at which the validator fails when fed one byte at a time, or -1.
int failsAt(std::string_view input) {
  Utf8Validator v;
  for (std::size_t i = 0; i < input.size(); ++i) {
    if (!v.feed(input.substr(i, 1))) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

TEST_CASE("valid text of every length of sequence passes, whole and split anywhere") {
  // a, e-acute, the euro sign and an emoji, then the first and last code points of each length.
  const std::string text =
      "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"
      "\x7F\xC2\x80\xDF\xBF\xE0\xA0\x80\xED\x9F\xBF\xEE\x80\x80\xEF\xBF\xBF\xF0\x90\x80\x80"
      "\xF4\x8F\xBF\xBF";
  REQUIRE(isValidUtf8(text));
  for (std::size_t split = 0; split <= text.size(); ++split) {
    INFO("split at " << split);
    Utf8Validator v;
    REQUIRE(v.feed(std::string_view{text}.substr(0, split)));
    REQUIRE(v.feed(std::string_view{text}.substr(split)));
    REQUIRE(v.complete());
  }
  REQUIRE(failsAt(text) == -1);
}

TEST_CASE("an unfinished sequence is not complete, and finishes in the next feed") {
  Utf8Validator v;
  REQUIRE(v.feed("ok\xF0\x9F"));
  REQUIRE_FALSE(v.complete());
  REQUIRE_FALSE(v.failed());
  REQUIRE(v.feed("\x98"));
  REQUIRE_FALSE(v.complete());
  REQUIRE(v.feed("\x80"));
  REQUIRE(v.complete());
  REQUIRE_FALSE(isValidUtf8("ok\xF0\x9F\x98"));
}

TEST_CASE("overlong forms fail at the first byte that makes them overlong") {
  REQUIRE(failsAt("ab\xC0\x80") == 2);  // C0, C1 can only start overlong forms
  REQUIRE(failsAt("\xC1\xBF") == 0);
  REQUIRE(failsAt("\xE0\x80\x80") == 1);  // U+0000 in three bytes
  REQUIRE(failsAt("\xE0\x9F\xBF") == 1);  // U+07FF in three bytes
  REQUIRE(failsAt("\xF0\x80\x80\x80") == 1);
  REQUIRE(failsAt("\xF0\x8F\xBF\xBF") == 1);  // U+FFFF in four bytes
}

TEST_CASE("surrogates fail at their second byte") {
  REQUIRE(failsAt("\xED\xA0\x80") == 1);  // U+D800
  REQUIRE(failsAt("\xED\xBF\xBF") == 1);  // U+DFFF
  REQUIRE(failsAt("x\xED\xB2\x80") == 2);
}

TEST_CASE("code points past U+10FFFF and bytes that never occur fail at once") {
  REQUIRE(failsAt("\xF4\x90\x80\x80") == 1);  // U+110000
  REQUIRE(failsAt("\xF5\x80\x80\x80") == 0);
  REQUIRE(failsAt("\xF8\x88\x80\x80\x80") == 0);
  REQUIRE(failsAt("\xFF") == 0);
  REQUIRE(failsAt("\xFE") == 0);
}

TEST_CASE("a continuation byte out of place fails where it stands") {
  REQUIRE(failsAt("abc\x80") == 3);
  REQUIRE(failsAt("\xC3\xA9\xA9") == 2);
  REQUIRE(failsAt("\xE2\x82X") == 2);  // a sequence cut short by ASCII
  REQUIRE(failsAt("\xE2\x82\xE2\x82\xAC") == 2);
}

TEST_CASE("a long ASCII run, then a bad byte at every alignment, fails at that byte") {
  // The ASCII fast path reads eight bytes at a time: the bad byte may sit anywhere in a word.
  for (std::size_t at = 0; at < 40; ++at) {
    INFO("bad byte at " << at);
    std::string text(48, 'a');
    text[at] = '\x80';
    Utf8Validator v;
    REQUIRE_FALSE(v.feed(text));
    REQUIRE(failsAt(text) == static_cast<int>(at));
  }
}

TEST_CASE("after a failure the validator stays failed until reset") {
  Utf8Validator v;
  REQUIRE_FALSE(v.feed("\xFF"));
  REQUIRE_FALSE(v.feed("plain"));
  REQUIRE(v.failed());
  REQUIRE_FALSE(v.complete());
  v.reset();
  REQUIRE(v.feed("plain"));
  REQUIRE(v.complete());
}
