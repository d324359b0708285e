// A chunk size has at most sixteen hex digits, leading zeros included: enough for any 64-bit
// size, zero-padded or not, while llhttp alone would read zeros without end (RFC 9112 7.1 asks
// recipients to guard against sizes that overflow).
#include <catch2/catch.hpp>
#include <string>

#include "tests/protocol/response_feeding.h"

using namespace closewise::protocol;
using namespace closewise::testing;

namespace {

std::string chunked(std::string_view sizeLine, std::string_view data) {
  return "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + std::string(sizeLine) + "\r\n" +
         std::string(data) + "\r\n0\r\n\r\n";
}

}  // namespace

TEST_CASE("a zero-padded chunk size of sixteen digits is accepted") {
  const ResponseTranscript t = parseResponse(chunked("0000000000000003", "abc"));
  REQUIRE(t.body == "abc");
  REQUIRE(t.events.back() == "complete keep-alive");
}

TEST_CASE("seventeen digits are refused, zeros or not") {
  REQUIRE(responseError(chunked("00000000000000003", "abc")) == "chunk size too long");
  REQUIRE(responseError(chunked("10000000000000000", "abc")) == "chunk size too long");
  // The last chunk's size counts too: a trailer section cannot hide behind endless zeros.
  REQUIRE(responseError("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
                        std::string(17, '0') + "\r\n\r\n") == "chunk size too long");
}

TEST_CASE("the digit count starts again with every chunk") {
  const ResponseTranscript t = parseResponse(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "0000000000000002\r\nab\r\n0000000000000001\r\nc\r\n0000000000000000\r\n\r\n");
  REQUIRE(t.body == "abc");
  REQUIRE(t.events.back() == "complete keep-alive");
}
