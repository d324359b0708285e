// Framing two parsers could read differently is an error, not a guess: Content-Length with
// Transfer-Encoding (RFC 9112 6.3 rule 3), more than one Content-Length (rule 5), a coding other
// than a single chunked (we send no TE, RFC 9112 7.4), and Transfer-Encoding in HTTP/1.0 (RFC
// 9112 6.1).
#include <catch2/catch.hpp>
#include <string>

#include "tests/protocol/response_feeding.h"

using namespace closewise::protocol;
using namespace closewise::testing;

TEST_CASE("Content-Length with Transfer-Encoding, in either order, is an error") {
  REQUIRE(responseError("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
                        "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n") ==
          "both content-length and transfer-encoding");
  REQUIRE(responseError("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                        "Content-Length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\n") ==
          "both content-length and transfer-encoding");
}

TEST_CASE("a second Content-Length is an error, equal or not") {
  REQUIRE(responseError("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"
                        "hello!") == "more than one content-length");
  REQUIRE(responseError("HTTP/1.1 200 OK\r\nContent-Length: 5\r\ncontent-length: 5\r\n\r\n"
                        "hello") == "more than one content-length");
}

TEST_CASE("a Content-Length that is not a number is an error") {
  for (const std::string_view value :
       {"5, 5", "-1", "+5", "0x5", "5 5", "", "99999999999999999999"}) {
    INFO(value);
    REQUIRE(responseError("HTTP/1.1 200 OK\r\nContent-Length: " + std::string(value) +
                          "\r\n\r\nhello") == "invalid content-length");
  }
}

TEST_CASE("a transfer coding other than a single chunked is an error") {
  for (const std::string_view te :
       {"gzip", "gzip, chunked", "chunked, chunked", "chunked, gzip", "identity"}) {
    INFO(te);
    REQUIRE(responseError("HTTP/1.1 200 OK\r\nTransfer-Encoding: " + std::string(te) +
                          "\r\n\r\n0\r\n\r\n") == "transfer coding other than chunked");
  }
  // Spread over two field lines, the list is the same (RFC 9110 5.3).
  REQUIRE(responseError("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n"
                        "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n") ==
          "transfer coding other than chunked");
  // Case does not matter to codings (RFC 9112 7).
  REQUIRE(parseResponse("HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n")
              .body == "x");
}

TEST_CASE("a chunked that llhttp would not read as chunked is an error") {
  // Found by fuzz/response_parser_fuzz.cc: the trailing tab is OWS, not part of the value, but
  // llhttp 8.1 then reads the body until close while the framing says chunked.
  REQUIRE(responseError("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\t\r\n\r\n"
                        "3\r\nabc\r\n0\r\n\r\n") ==
          "transfer-encoding llhttp does not read as chunked");
  REQUIRE(parseResponse("HTTP/1.1 200 OK\r\nTransfer-Encoding:  chunked  \r\n\r\n"
                        "3\r\nabc\r\n0\r\n\r\n")
              .body == "abc");
}

TEST_CASE("Transfer-Encoding in an HTTP/1.0 response is an error") {
  REQUIRE(responseError("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n") ==
          "transfer-encoding in an http/1.0 response");
}
