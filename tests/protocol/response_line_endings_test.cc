// Every line of a response outside its body ends in CRLF and no field line starts with
// whitespace: a bare LF, a bare CR (RFC 9112 2.2) or obsolete line folding (RFC 9112 5.2, which
// a proxy may answer with 502) is an error, in the head, in chunk-size lines and in trailers.
#include <catch2/catch.hpp>
#include <string>

#include "tests/protocol/response_feeding.h"

using namespace closewise::protocol;
using namespace closewise::testing;

namespace {

constexpr std::string_view kChunkedHead = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";

std::string chunked(std::string_view body) {
  return std::string(kChunkedHead) + std::string(body);
}

}  // namespace

TEST_CASE("a bare LF outside the body is an error") {
  for (const std::string& input : {
           std::string("HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n"),
           std::string("HTTP/1.1 200 OK\r\nContent-Length: 0\n\r\n"),
           std::string("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\n"),
           chunked("5\nhello\r\n0\r\n\r\n"),
           chunked("5\r\nhello\r\n0\r\nT: 1\n\r\n"),
           chunked("5\r\nhello\r\n0\r\n\n"),
       }) {
    INFO(input);
    REQUIRE(responseError(input) == "bare lf");
  }
}

TEST_CASE("a bare CR outside the body is an error") {
  for (const std::string& input : {
           std::string("HTTP/1.1 200 OK\rContent-Length: 0\r\n\r\n"),
           std::string("HTTP/1.1 200 OK\r\nX: a\rb\r\nContent-Length: 0\r\n\r\n"),
           std::string("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\rX"),
           chunked("5\rXhello\r\n0\r\n\r\n"),
           chunked("5\r\nhello\r\n0\r\n\rX"),
       }) {
    INFO(input);
    REQUIRE(responseError(input) == "bare cr");
  }
}

TEST_CASE("obsolete line folding is an error, in the head and in trailers") {
  REQUIRE(responseError("HTTP/1.1 200 OK\r\nX-Long: one\r\n two\r\nContent-Length: 0\r\n\r\n") ==
          "obsolete line folding");
  REQUIRE(responseError("HTTP/1.1 200 OK\r\nX-Long: one\r\n\ttwo\r\nContent-Length: 0\r\n\r\n") ==
          "obsolete line folding");
  REQUIRE(responseError(chunked("0\r\nT: one\r\n two\r\n\r\n")) == "obsolete line folding");
}

TEST_CASE("the first broken rule in the bytes is the error, however the reads split them") {
  // llhttp alone would accept the bare LF and find the space before a colon after it.
  REQUIRE(responseError("HTTP/1.1 200 OK\r\nA: b\nX : y\r\nContent-Length: 0\r\n\r\n") ==
          "bare lf");
  REQUIRE(responseError(chunked("0\r\nT: v\nU : w\r\n\r\n")) == "bare lf");
  // And the other way round: the space before the colon comes first.
  REQUIRE(responseError("HTTP/1.1 200 OK\r\nX : y\r\nA: b\nContent-Length: 0\r\n\r\n") ==
          "whitespace between header name and colon");
}

TEST_CASE("CR and LF inside the body are data") {
  const ResponseTranscript t =
      parseResponse("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n\r\r\n\n \n");
  REQUIRE(t.body == "\r\r\n\n \n");
  REQUIRE(t.events.back() == "complete keep-alive");
  REQUIRE(parseResponse(chunked("3\r\n\n\r\r\n0\r\n\r\n")).body == "\n\r\r");
}
