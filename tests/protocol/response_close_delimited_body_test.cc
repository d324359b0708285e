// A response with neither Content-Length nor chunked coding has a body that ends when the
// upstream closes the connection (RFC 9112 6.3 rule 8): finish() completes it, and the
// connection is never reused.
#include <catch2/catch.hpp>
#include <string>

#include "tests/protocol/response_feeding.h"

using namespace closewise::protocol;
using namespace closewise::testing;

TEST_CASE("a close-delimited body ends at EOF and the connection is not reused") {
  FeedOptions options;
  options.eofAtEnd = true;
  const ResponseTranscript t = parseResponse(
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it, until FIN", options);
  REQUIRE(t.events == std::vector<std::string>{"head 200", "body", "complete close"});
  REQUIRE(t.body == "all of it, until FIN");
  REQUIRE(t.response.framing == ResponseFraming::UntilClose);
  REQUIRE_FALSE(t.keepAlive);
}

TEST_CASE("an empty close-delimited body ends at EOF right after the head") {
  FeedOptions options;
  options.eofAtEnd = true;
  const ResponseTranscript t = parseResponse("HTTP/1.0 200 OK\r\n\r\n", options);
  REQUIRE(t.events == std::vector<std::string>{"head 200", "complete close"});
}

TEST_CASE("without EOF a close-delimited body never ends") {
  const ResponseTranscript t = parseResponse("HTTP/1.1 200 OK\r\n\r\nmore to come");
  REQUIRE(t.events == std::vector<std::string>{"head 200", "body"});
}
