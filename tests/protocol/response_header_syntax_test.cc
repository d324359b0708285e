// Header fields of a response follow RFC 9110 5 and RFC 9112 5: a token for the name, no
// whitespace before the colon, no control characters in the value, and the surrounding OWS is
// not part of the value.
#include <catch2/catch.hpp>
#include <string>

#include "tests/protocol/response_feeding.h"

using namespace closewise::protocol;
using namespace closewise::testing;
using namespace std::literals;

namespace {

std::string withField(std::string_view field) {
  return "HTTP/1.1 200 OK\r\n" + std::string(field) + "\r\nContent-Length: 0\r\n\r\n";
}

}  // namespace

TEST_CASE("field values are read without the OWS around them") {
  const ResponseTranscript t = parseResponse(withField("X-Spaced: \t a  b \t "));
  REQUIRE(t.response.headers[0].name == "X-Spaced");
  REQUIRE(t.response.headers[0].value == "a  b");
  REQUIRE(parseResponse(withField("X-Empty:")).response.headers[0].value.empty());
}

TEST_CASE("whitespace between a field name and its colon is an error") {
  REQUIRE(responseError(withField("X-Bad : 1")) == "whitespace between header name and colon");
  REQUIRE(responseError(withField("X-Bad\t: 1")) == "whitespace between header name and colon");
  // Found by fuzz/response_parser_fuzz.cc: llhttp reports this one a byte later when the first
  // space ends a read, which named it "invalid header name" when fed byte by byte.
  REQUIRE(responseError(withField("Transfer-Encoding  chunked")) ==
          "whitespace between header name and colon");
}

TEST_CASE("a field name that is not a token is an error") {
  for (const std::string_view field : {"X(Bad): 1", ": 1", "X@: 1", "Caf\xC3\xA9: 1"}) {
    INFO(field);
    REQUIRE(responseError(withField(field)) == "invalid header name");
  }
}

TEST_CASE("a control character in a field value is an error") {
  for (const std::string_view field : {"X: a\x01z"sv, "X: a\x7Fz"sv, "X: a\0z"sv, "X: a\x1bz"sv}) {
    INFO(field);
    REQUIRE(responseError(withField(field)) == "invalid character in header value");
  }
  // obs-text (bytes above 0x7F) is allowed (RFC 9110 5.5).
  REQUIRE(parseResponse(withField("X: caf\xC3\xA9")).events.back() == "complete keep-alive");
}
