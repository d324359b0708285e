// A framing error (a bare LF, RFC 9112 2.2) is reported before a refusal that comes after it in
// the stream (an unsupported version, a missing Host, a Content-Length over the limit), however
// the bytes were cut into reads: the answer a client gets must not depend on TCP segmentation.
// Found by fuzz/request_parser_fuzz.cc, which feeds every input whole and split.
#include <catch2/catch.hpp>
#include <string>
#include <string_view>

#include "protocol/request_parser.h"

using namespace closewise::protocol;

namespace {

// Feeds `input` as two reads cut at `split` and returns the error it ends in.
ParseError errorWhenSplitAt(std::string_view input, std::size_t split) {
  RequestParser parser{Limits{}};
  for (std::string_view read : {input.substr(0, split), input.substr(split)}) {
    while (!read.empty()) {
      const ParseResult r = parser.feed(read.data(), read.size());
      if (r.status == ParseStatus::Error) return parser.error();
      REQUIRE(r.status != ParseStatus::MessageComplete);
      read.remove_prefix(r.consumed);
    }
  }
  FAIL("no error for a request that must be refused");
  return {};
}

void requireErrorAtEverySplit(std::string_view input, int status, std::string_view reason) {
  for (std::size_t split = 0; split <= input.size(); ++split) {
    INFO("split at " << split);
    const ParseError e = errorWhenSplitAt(input, split);
    CHECK(e.status == status);
    CHECK(e.reason == reason);
  }
}

}  // namespace

TEST_CASE("a bare LF before an unsupported version is a 400, not a 505") {
  requireErrorAtEverySplit("\nGET / HTTP/2.0\r\nHost: a\r\n\r\n", 400, "bare lf");
}

TEST_CASE("a bare LF ending the head of a request without Host is reported as the bare LF") {
  requireErrorAtEverySplit("GET / HTTP/1.1\r\nX: a\r\n\n", 400, "bare lf");
}

TEST_CASE("a bare LF ending a head with a Content-Length over the limit is a 400, not a 413") {
  requireErrorAtEverySplit("GET / HTTP/1.0\r\nContent-Length: 2000000\r\n\n", 400, "bare lf");
}

TEST_CASE("a refusal before the bare LF still wins") {
  requireErrorAtEverySplit("GET / HTTP/2.0\r\nHost: a\n\r\n", 505, "unsupported http version");
}

TEST_CASE("an unsupported version before a bare LF is a 505 whether the LF came with it or not") {
  // llhttp rejects the version once its digits are read, before it looks at the next byte.
  requireErrorAtEverySplit("GET / HTTP/1.9\nHost: a\r\n\r\n", 505, "unsupported http version");
}

TEST_CASE("HTTP/2.0 followed by a bare LF is a 505 whether the LF came with it or not") {
  // The version is refused by our own check (llhttp 8.1 parses 2.0), before the LF is looked at.
  requireErrorAtEverySplit("GET / HTTP/2.0\nHost: a\r\n\r\n", 505, "unsupported http version");
}
