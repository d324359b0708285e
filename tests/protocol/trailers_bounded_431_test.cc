// Trailer fields share the head's budget (--max-header-bytes), and each is charged its name and
// value plus 32 bytes, as HTTP/2 charges a field (RFC 9113 section 6.5.2). Their number is then
// bounded too: a section of thousands of one-letter trailers, which costs a few bytes each on the
// wire but a Header object each in memory, is a 431 (RFC 6585 section 5) long before it is large.
#include <catch2/catch.hpp>
#include <string>
#include <string_view>

#include "protocol/request_parser.h"

using namespace closewise::protocol;

namespace {

constexpr std::string_view kHead =
    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";

// The last chunk, then `count` trailer fields "t:" with empty values, then the end of the section.
std::string emptyTrailers(std::size_t count) {
  std::string body = "0\r\n";
  for (std::size_t i = 0; i < count; ++i) body += "t:\r\n";
  return body + "\r\n";
}

ParseResult parseBody(RequestParser& parser, const std::string& body) {
  REQUIRE(parser.feed(kHead.data(), kHead.size()).status == ParseStatus::HeadComplete);
  return parser.feed(body.data(), body.size());
}

}  // namespace

TEST_CASE("thousands of one-letter trailers are a 431, not thousands of header objects") {
  RequestParser parser{Limits{}};  // 16 KiB of head and trailers
  // 4,000 such trailers are 16,000 bytes on the wire and only 4,000 of name bytes.
  const ParseResult r = parseBody(parser, emptyTrailers(4'000));
  REQUIRE(r.status == ParseStatus::Error);
  CHECK(parser.error().status == 431);
  CHECK(parser.error().reason == "trailer section too large");
  // Refused as soon as the budget ran out, not after every trailer was stored.
  CHECK(parser.request().trailers.size() <= (16 * 1024) / 33);
}

TEST_CASE("each trailer costs its name, its value and 32 bytes, to the byte") {
  Limits limits;
  limits.maxHeaderBytes = 1024;
  const std::size_t budget = limits.maxHeaderBytes - kHead.size();
  const std::size_t fit = budget / 33;  // "t" and an empty value: 1 + 0 + 32 each
  {
    RequestParser parser{limits};
    REQUIRE(parseBody(parser, emptyTrailers(fit)).status == ParseStatus::MessageComplete);
    CHECK(parser.request().trailers.size() == fit);
  }
  {
    RequestParser parser{limits};
    REQUIRE(parseBody(parser, emptyTrailers(fit + 1)).status == ParseStatus::Error);
    CHECK(parser.error().status == 431);
  }
}

TEST_CASE("a few ordinary trailers pass") {
  RequestParser parser{Limits{}};
  const std::string body = "5\r\nhello\r\n0\r\nX-Checksum: abc123\r\nX-Done: yes\r\n\r\n";
  REQUIRE(parseBody(parser, body).status == ParseStatus::MessageComplete);
  REQUIRE(parser.request().trailers.size() == 2);
  CHECK(parser.request().trailers[1].value == "yes");
  CHECK(parser.request().body == "hello");
}
