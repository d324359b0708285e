// A Content-Length body (RFC 9112 6.3 rule 6) is handed out as it arrives, exactly that many
// bytes, and the response ends after the last of them: bytes after it are not consumed.
#include <catch2/catch.hpp>
#include <string>

#include "tests/protocol/response_feeding.h"

using namespace closewise::protocol;
using namespace closewise::testing;

TEST_CASE("a Content-Length body is delivered whole and the response ends after it") {
  const ResponseTranscript t = parseResponse(
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\n"
      "hello world");
  REQUIRE(t.events == std::vector<std::string>{"head 200", "body", "complete keep-alive"});
  REQUIRE(t.body == "hello world");
  REQUIRE(t.response.reason == "OK");
  REQUIRE(t.response.framing == ResponseFraming::ContentLength);
  REQUIRE(t.response.contentLength == 11);
  REQUIRE(t.response.headers.size() == 2);
  REQUIRE(*t.response.header("content-type") == "text/plain");
}

TEST_CASE("bytes after a Content-Length body are left to the caller") {
  constexpr std::string_view kInput = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcHTTP/1.1";
  const ResponseTranscript t = feedResponse(kInput, Feeding::Whole);
  REQUIRE(t.events == std::vector<std::string>{"head 200", "body", "complete keep-alive"});
  REQUIRE(t.body == "abc");
  REQUIRE(t.consumed == kInput.size() - 8);
}

TEST_CASE("Content-Length: 0 is a response without a body") {
  const ResponseTranscript t = parseResponse("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  REQUIRE(t.events == std::vector<std::string>{"head 200", "complete keep-alive"});
  REQUIRE(t.response.framing == ResponseFraming::None);
  REQUIRE(t.response.contentLength == 0);
}

TEST_CASE("a body that has not all arrived waits for more") {
  const ResponseTranscript t = parseResponse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello");
  REQUIRE(t.events == std::vector<std::string>{"head 200", "body"});
  REQUIRE(t.body == "hello");
}
