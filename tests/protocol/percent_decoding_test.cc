// Percent-decoding (RFC 3986 section 2.1): "%" and two hex digits of either case are one octet,
// '+' is a space only in the query form, and every other use of '%' is refused, not passed on.
#include "protocol/percent_decoding.h"

#include <catch2/catch.hpp>
#include <optional>
#include <string>

using namespace closewise::protocol;

TEST_CASE("escapes decode to their octet, in either case of hex digit") {
  CHECK(percentDecode("a%20b", PercentForm::Path) == "a b");
  CHECK(percentDecode("%2F%2f", PercentForm::Path) == "//");
  CHECK(percentDecode("caf%C3%A9", PercentForm::Path) == "caf\xC3\xA9");
  CHECK(percentDecode("%00", PercentForm::Path) == std::string(1, '\0'));
  CHECK(percentDecode("%25zz", PercentForm::Path) == "%zz");  // an escaped '%' is not re-read
  CHECK(percentDecode("", PercentForm::Path) == "");
  CHECK(percentDecode("plain", PercentForm::Query) == "plain");
}

TEST_CASE("'+' is a space in the query form only") {
  CHECK(percentDecode("a+b", PercentForm::Path) == "a+b");
  CHECK(percentDecode("a+b", PercentForm::Query) == "a b");
  CHECK(percentDecode("a%2Bb", PercentForm::Query) == "a+b");
}

TEST_CASE("every malformed escape is refused") {
  for (const char* bad : {"%", "%4", "a%", "a%4", "%zz", "%4z", "%z4", "%%", "%%41", "%G0", "%0g",
                          "%-1", "% 1", "ok%2"}) {
    INFO(bad);
    CHECK(percentDecode(bad, PercentForm::Path) == std::nullopt);
    CHECK(percentDecode(bad, PercentForm::Query) == std::nullopt);
    CHECK_FALSE(percentDecodedEquals(bad, bad, PercentForm::Path));
    std::string out;
    CHECK_FALSE(percentDecodeAppend(bad, PercentForm::Path, out));
  }
}

TEST_CASE("percentDecodedEquals compares as it decodes") {
  CHECK(percentDecodedEquals("it%65ms", "items", PercentForm::Path));
  CHECK(percentDecodedEquals("items", "items", PercentForm::Path));
  CHECK(percentDecodedEquals("", "", PercentForm::Path));
  CHECK(percentDecodedEquals("a+b", "a b", PercentForm::Query));
  CHECK_FALSE(percentDecodedEquals("a+b", "a b", PercentForm::Path));
  CHECK_FALSE(percentDecodedEquals("item", "items", PercentForm::Path));
  CHECK_FALSE(percentDecodedEquals("itemss", "items", PercentForm::Path));
  CHECK_FALSE(percentDecodedEquals("a%2Fb", "a", PercentForm::Path));
}

TEST_CASE("percentDecodeAppend appends to what is there") {
  std::string out = "x=";
  CHECK(percentDecodeAppend("1%2C2", PercentForm::Path, out));
  CHECK(out == "x=1,2");
}
