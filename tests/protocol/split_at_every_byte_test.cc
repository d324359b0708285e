// Feeding a request split at any byte boundary gives the same Request as feeding it whole: a
// callback that delivers a header value in two pieces must not lose or duplicate bytes, and the
// caller's read buffer is reused between feeds.
#include <catch2/catch.hpp>
#include <string>
#include <string_view>

#include "protocol/request_parser.h"

using namespace closewise::protocol;

namespace {

// Feeds `input` in two pieces cut at `split`, each copied into a scratch buffer that is then
// overwritten, as a connection reuses its read buffer. Continues past HeadComplete.
Request parseSplit(std::string_view input, std::size_t split) {
  RequestParser parser{Limits{}};
  std::string scratch;
  std::size_t total = 0;
  bool complete = false;
  const std::string_view pieces[2] = {input.substr(0, split), input.substr(split)};
  for (const std::string_view piece : pieces) {
    scratch.assign(piece);
    std::size_t offset = 0;
    while (offset < scratch.size()) {
      REQUIRE_FALSE(complete);
      const ParseResult r = parser.feed(scratch.data() + offset, scratch.size() - offset);
      REQUIRE(r.status != ParseStatus::Error);
      offset += r.consumed;
      total += r.consumed;
      if (r.status == ParseStatus::NeedMore) REQUIRE(offset == scratch.size());
      if (r.status == ParseStatus::MessageComplete) complete = true;
    }
    scratch.assign(scratch.size(), 'X');  // The buffer is reused: nothing may point into it.
  }
  REQUIRE(complete);
  REQUIRE(total == input.size());
  return parser.request();
}

void requireSame(const Request& a, const Request& b) {
  REQUIRE(a.method == b.method);
  REQUIRE(a.target == b.target);
  REQUIRE(a.path == b.path);
  REQUIRE(a.query == b.query);
  REQUIRE(a.versionMinor == b.versionMinor);
  REQUIRE(a.headers.size() == b.headers.size());
  for (std::size_t i = 0; i < a.headers.size(); ++i) {
    REQUIRE(a.headers[i].name == b.headers[i].name);
    REQUIRE(a.headers[i].value == b.headers[i].value);
  }
  REQUIRE(a.trailers.size() == b.trailers.size());
  for (std::size_t i = 0; i < a.trailers.size(); ++i) {
    REQUIRE(a.trailers[i].name == b.trailers[i].name);
    REQUIRE(a.trailers[i].value == b.trailers[i].value);
  }
  REQUIRE(a.body == b.body);
  REQUIRE(a.keepAlive == b.keepAlive);
  REQUIRE(a.expectContinue == b.expectContinue);
  REQUIRE(a.chunked == b.chunked);
  REQUIRE(a.contentLength == b.contentLength);
}

}  // namespace

TEST_CASE("every split point of a GET gives the same request") {
  constexpr std::string_view kInput =
      "\r\nGET /search?q=close&lang=en HTTP/1.1\r\nHost: example.com\r\n"
      "Accept: text/html,  application/json\r\nConnection: keep-alive, Upgrade\r\n\r\n";
  const Request whole = parseSplit(kInput, kInput.size());
  REQUIRE(whole.path == "/search");
  REQUIRE(whole.headers.size() == 3);
  REQUIRE(whole.headers[1].value == "text/html,  application/json");
  for (std::size_t split = 0; split <= kInput.size(); ++split) {
    INFO("split at " << split);
    requireSame(parseSplit(kInput, split), whole);
  }
}

TEST_CASE("every split point of a Content-Length POST gives the same request") {
  constexpr std::string_view kInput =
      "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\nExpect: 100-continue\r\n\r\n"
      "hello world";
  const Request whole = parseSplit(kInput, kInput.size());
  REQUIRE(whole.body == "hello world");
  REQUIRE(whole.expectContinue);
  for (std::size_t split = 0; split <= kInput.size(); ++split) {
    INFO("split at " << split);
    requireSame(parseSplit(kInput, split), whole);
  }
}

TEST_CASE(
    "every split point of a chunked POST with extensions and trailers gives the same request") {
  constexpr std::string_view kInput =
      "POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;name=\"a b\"\r\nhello\r\n"
      "1\r\n \r\n"
      "5\r\nworld\r\n"
      "0\r\nX-Checksum: abc123\r\nX-Other:  two words \r\n\r\n";
  const Request whole = parseSplit(kInput, kInput.size());
  REQUIRE(whole.body == "hello world");
  REQUIRE(whole.chunked);
  REQUIRE(whole.trailers.size() == 2);
  REQUIRE(whole.trailers[0].name == "X-Checksum");
  REQUIRE(whole.trailers[0].value == "abc123");
  REQUIRE(whole.trailers[1].value == "two words");
  for (std::size_t split = 0; split <= kInput.size(); ++split) {
    INFO("split at " << split);
    requireSame(parseSplit(kInput, split), whole);
  }
}

TEST_CASE("byte-at-a-time feeding gives the same chunked request") {
  constexpr std::string_view kInput =
      "POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n0\r\nT: v\r\n\r\n";
  RequestParser parser{Limits{}};
  int heads = 0;
  for (std::size_t i = 0; i < kInput.size(); ++i) {
    char byte = kInput[i];
    ParseResult r = parser.feed(&byte, 1);
    if (r.status == ParseStatus::HeadComplete) {
      ++heads;
      REQUIRE(r.consumed == 1);
      continue;
    }
    REQUIRE(r.consumed == 1);
    REQUIRE(r.status ==
            (i + 1 == kInput.size() ? ParseStatus::MessageComplete : ParseStatus::NeedMore));
  }
  REQUIRE(heads == 1);
  REQUIRE(parser.request().body == "abc");
  REQUIRE(parser.request().trailers.size() == 1);
  REQUIRE(parser.request().trailers[0].value == "v");
}
