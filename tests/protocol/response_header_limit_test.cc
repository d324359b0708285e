// The heads of one exchange, interim ones included, fit in ResponseLimits::maxHeaderBytes, and
// the trailer fields and chunk extensions of a chunked body are bounded by the same budget: an
// upstream cannot make the client hold or read an endless head.
#include <catch2/catch.hpp>
#include <string>

#include "tests/protocol/response_feeding.h"

using namespace closewise::protocol;
using namespace closewise::testing;

namespace {

FeedOptions limit(std::size_t maxHeaderBytes) {
  FeedOptions options;
  options.limits.maxHeaderBytes = maxHeaderBytes;
  return options;
}

constexpr std::string_view kHead = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

}  // namespace

TEST_CASE("a head of exactly the limit is read, one byte more is an error") {
  REQUIRE(parseResponse(kHead, limit(kHead.size())).events.back() == "complete keep-alive");
  REQUIRE(responseError(kHead, limit(kHead.size() - 1)) == "header section too large");
}

TEST_CASE("an endless header section is cut off at the limit") {
  const std::string input = "HTTP/1.1 200 OK\r\nX: " + std::string(100000, 'a');
  const ResponseTranscript t = parseResponse(input, limit(1024));
  REQUIRE(t.events.back() == "error header section too large");
  REQUIRE(t.consumed <= 1024);
}

TEST_CASE("interim heads count against the same budget") {
  std::string input;
  for (int i = 0; i < 10; ++i) input += "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n";
  const ResponseTranscript t = parseResponse(input + std::string(kHead), limit(400));
  REQUIRE(t.events.back() == "error header section too large");
  REQUIRE(
      parseResponse(input + std::string(kHead), limit(input.size() + kHead.size())).events.back() ==
      "complete keep-alive");
}

TEST_CASE("trailer fields and chunk extensions are bounded by the same budget") {
  const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  const std::string trailers = "0\r\nX-Big: " + std::string(2000, 't') + "\r\n\r\n";
  REQUIRE(responseError(head + trailers, limit(1024)) == "trailer section too large");
  const std::string longName = "0\r\nX-" + std::string(2000, 'n') + ": v\r\n\r\n";
  REQUIRE(responseError(head + longName, limit(1024)) == "trailer section too large");
  const std::string extensions = "1;" + std::string(2000, 'e') + "\r\nx\r\n0\r\n\r\n";
  REQUIRE(responseError(head + extensions, limit(1024)) == "chunk extensions too large");
}

TEST_CASE("the trailer section gets what the head left of the budget, to the byte") {
  const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  const std::string end = "0\r\nX-T: " + std::string(20, 't') + "\r\n\r\n";
  const std::size_t trailerSection = end.size() - 3;  // after "0\r\n"
  REQUIRE(parseResponse(head + end, limit(head.size() + trailerSection)).events.back() ==
          "complete keep-alive");
  REQUIRE(responseError(head + end, limit(head.size() + trailerSection - 1)) ==
          "trailer section too large");
  // A bad byte in a trailer past the budget: the budget, which ran out first, is the error,
  // whole or byte by byte (llhttp alone would first see the bad name).
  const std::string bad = "0\r\nX-" + std::string(40, 'n') + "(: v\r\n\r\n";
  REQUIRE(responseError(head + bad, limit(head.size() + 20)) == "trailer section too large");
}
