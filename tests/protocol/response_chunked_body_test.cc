// A chunked body (RFC 9112 7.1) is handed out decoded, chunk extensions ignored but held to their
// grammar (RFC 9112 7.1.1), trailer fields kept apart from the header fields, and each chunk's
// data must be followed by exactly CRLF.
#include <catch2/catch.hpp>
#include <string>

#include "tests/protocol/response_feeding.h"

using namespace closewise::protocol;
using namespace closewise::testing;

namespace {

constexpr std::string_view kHead = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";

}  // namespace

TEST_CASE("a chunked body is decoded, with extensions ignored and trailers kept") {
  const ResponseTranscript t = parseResponse(std::string(kHead) +
                                             "5;name=\"a b\"\r\nhello\r\n1\r\n \r\nA\r\nworld, "
                                             "big\r\n0\r\nX-Sum: abc\r\nX-N:  2 \r\n\r\n");
  REQUIRE(t.events == std::vector<std::string>{"head 200", "body", "complete keep-alive"});
  REQUIRE(t.body == "hello world, big");
  REQUIRE(t.response.framing == ResponseFraming::Chunked);
  REQUIRE(t.response.headers.size() == 1);
  REQUIRE(t.response.trailers.size() == 2);
  REQUIRE(t.response.trailers[0].name == "X-Sum");
  REQUIRE(t.response.trailers[0].value == "abc");
  REQUIRE(t.response.trailers[1].value == "2");
}

TEST_CASE("an empty chunked body ends at the last chunk") {
  const ResponseTranscript t = parseResponse(std::string(kHead) + "0\r\n\r\n");
  REQUIRE(t.events == std::vector<std::string>{"head 200", "complete keep-alive"});
  REQUIRE(t.body.empty());
}

TEST_CASE("chunk data not followed by CRLF is an error") {
  for (const std::string_view body : {"5\r\nhelloXY0\r\n\r\n", "5\r\nhello\rX0\r\n\r\n",
                                      "5\r\nhello0\r\n\r\n", "5\r\nhello\n0\r\n\r\n"}) {
    INFO(body);
    REQUIRE(responseError(std::string(kHead) + std::string(body)) == "invalid chunk framing");
  }
}

TEST_CASE("a malformed chunk size is an error") {
  for (const std::string_view body :
       {"g\r\nhello\r\n0\r\n\r\n", "-5\r\nhello\r\n0\r\n\r\n", "0x5\r\nhello\r\n0\r\n\r\n",
        "5 \r\nhello\r\n0\r\n\r\n", "\r\nhello\r\n0\r\n\r\n"}) {
    INFO(body);
    REQUIRE(responseError(std::string(kHead) + std::string(body)) == "invalid chunk framing");
  }
}

TEST_CASE("chunk extensions in the grammar are accepted and ignored") {
  for (const std::string_view ext :
       {";a", ";a=b", ";a=\"quoted value\"", ";a=\"\"", ";a;b;c=d", ";a=\"caf\xC3\xA9\""}) {
    INFO(ext);
    const ResponseTranscript t =
        parseResponse(std::string(kHead) + "5" + std::string(ext) + "\r\nhello\r\n0\r\n\r\n");
    REQUIRE(t.body == "hello");
    REQUIRE(t.events.back() == "complete keep-alive");
  }
}

TEST_CASE("chunk extensions outside the grammar are an error") {
  // llhttp 8.1 alone accepts every one of these.
  for (const std::string_view ext : {";;", ";=x", ";a=", ";a=b=c", ";a\"b\"", ";a=\"open", ";\x89",
                                     ";a=\x89", ";a=\"\x01\"", ";a,b"}) {
    INFO(ext);
    REQUIRE(responseError(std::string(kHead) + "5" + std::string(ext) + "\r\nhello\r\n0\r\n\r\n") ==
            "invalid chunk extension");
  }
}

TEST_CASE("some forms of the grammar are refused by llhttp: stricter, never looser") {
  // BWS, quoted-pairs, and any extension after one with a value.
  for (const std::string_view ext : {" ;a", ";a = b", ";a=\"esc\\\"aped\"", ";a=b;c"}) {
    INFO(ext);
    REQUIRE(!responseError(std::string(kHead) + "5" + std::string(ext) + "\r\nhello\r\n0\r\n\r\n")
                 .empty());
  }
}
