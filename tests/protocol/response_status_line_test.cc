// The status line is "HTTP/1.x SP 3DIGIT SP reason" (RFC 9112 4): HTTP/1.0 or 1.1, exactly
// one space, a status code of three digits and of a defined class (RFC 9110 15), a reason of
// visible characters, spaces and tabs (possibly empty), and nothing before the line.
#include <catch2/catch.hpp>
#include <string>

#include "tests/protocol/response_feeding.h"

using namespace closewise::protocol;
using namespace closewise::testing;
using namespace std::literals;

TEST_CASE("HTTP/1.1 and HTTP/1.0 status lines are read") {
  ResponseTranscript t = parseResponse("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
  REQUIRE(t.response.status == 404);
  REQUIRE(t.response.reason == "Not Found");
  REQUIRE(t.response.versionMinor == 1);
  t = parseResponse("HTTP/1.0 503 Service\tUnavailable\r\nContent-Length: 0\r\n\r\n");
  REQUIRE(t.response.status == 503);
  REQUIRE(t.response.reason == "Service\tUnavailable");
  REQUIRE(t.response.versionMinor == 0);
}

TEST_CASE("an empty reason is accepted with or without the space before it") {
  for (const std::string_view line : {"HTTP/1.1 200 \r\n", "HTTP/1.1 200\r\n"}) {
    INFO(line);
    const ResponseTranscript t = parseResponse(std::string(line) + "Content-Length: 0\r\n\r\n");
    REQUIRE(t.events == std::vector<std::string>{"head 200", "complete keep-alive"});
    REQUIRE(t.response.reason.empty());
  }
  // A reason may itself start with a space (reason-phrase includes SP).
  REQUIRE(parseResponse("HTTP/1.1 200  OK\r\nContent-Length: 0\r\n\r\n").response.reason == " OK");
}

TEST_CASE("versions other than 1.0 and 1.1 are an error") {
  for (const std::string_view line :
       {"HTTP/0.9 200 OK\r\n", "HTTP/2.0 200 OK\r\n", "HTTP/1.2 200 OK\r\n"}) {
    INFO(line);
    REQUIRE(responseError(std::string(line) + "\r\n") == "unsupported http version");
  }
}

TEST_CASE("a status code out of 100-599 is an error") {
  for (const std::string_view line : {"HTTP/1.1 099 Low\r\n", "HTTP/1.1 600 High\r\n"}) {
    INFO(line);
    REQUIRE(responseError(std::string(line) + "\r\n") == "invalid status code");
  }
}

TEST_CASE("anything but one space and three digits before the reason is an error") {
  for (const std::string_view line : {
           "HTTP/1.1 20 Short\r\n",
           "HTTP/1.1 2000 Long\r\n",
           "HTTP/1.1 0200 OK\r\n",  // llhttp alone reads a 200 with a reason of "OK"
           "HTTP/1.1  200 OK\r\n",  // and this as status 0 with a reason of "200 OK"
           "HTTP/1.1\t200 OK\r\n",
           "HTTP/1.1 200\tOK\r\n",
           "HTTP/1.1 20\r\n",
           "HTTP/1.1\r\n",
       }) {
    INFO(line);
    REQUIRE(responseError(std::string(line) + "\r\n") == "malformed status line");
  }
}

TEST_CASE("anything before the status line is an error") {
  REQUIRE(responseError("\r\nHTTP/1.1 200 OK\r\n\r\n") == "malformed status line");
  REQUIRE(responseError(" HTTP/1.1 200 OK\r\n\r\n") == "malformed status line");
  REQUIRE(responseError("http/1.1 200 OK\r\n\r\n") == "malformed status line");
}

TEST_CASE("a control character in the reason is an error") {
  for (const std::string_view line :
       {"HTTP/1.1 200 O\x01K\r\n"sv, "HTTP/1.1 200 O\x7FK\r\n"sv, "HTTP/1.1 200 O\0K\r\n"sv}) {
    INFO(line);
    REQUIRE(responseError(std::string(line) + "\r\n") == "invalid character in reason phrase");
  }
}
