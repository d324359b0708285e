// After reset(), the next request on the connection starts from nothing: every fact the previous
// request set (its framing, its trailers, its expectation, its connection options, the bytes its
// head used) is gone. A fact that survived would change how the next request is framed or
// answered (RFC 9112 9.3: each request on a persistent connection is a message of its own).
#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <string_view>

#include "protocol/request_parser.h"
#include "tests/protocol/feeding.h"

using namespace closewise::protocol;
using closewise::testing::Feeding;

namespace {

// Feeds one whole request, its body included, as a connection does: everything at once, or one
// byte per feed. Returns how the request ended and how many of its bytes the parser took.
ParseResult parseOne(RequestParser& parser, std::string_view bytes, Feeding feeding) {
  std::size_t at = 0;
  while (true) {
    const std::size_t left = bytes.size() - at;
    const std::size_t len = feeding == Feeding::Whole ? left : std::min<std::size_t>(left, 1);
    const ParseResult r = parser.feed(bytes.data() + at, len);
    at += r.consumed;
    const bool ended = r.status == ParseStatus::MessageComplete || r.status == ParseStatus::Error;
    if (ended || (r.status == ParseStatus::NeedMore && at == bytes.size())) return {r.status, at};
  }
}

const char* describe(Feeding feeding) {
  return feeding == Feeding::Whole ? "fed whole" : "fed byte by byte";
}

// A chunked request with every fact a head can carry: an expectation, the connection options
// "close" and "upgrade", an Upgrade, a chunk extension and a trailer field. Its head is padded to
// `headBytes`, so that the head of the next request would not fit beside it.
std::string requestWithEveryFact(std::size_t headBytes) {
  std::string head =
      "POST /first?x=1 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
      "Expect: 100-continue\r\nConnection: close, upgrade\r\nUpgrade: websocket\r\n";
  const std::string fillerStart = "X-Filler: ";
  const std::size_t fixed = head.size() + fillerStart.size() + 2 + 2;  // two CRLFs end it
  REQUIRE(headBytes > fixed);
  head += fillerStart + std::string(headBytes - fixed, 'f') + "\r\n\r\n";
  REQUIRE(head.size() == headBytes);
  return head + "3;ext=1\r\nabc\r\n0\r\nX-Trailer: t\r\n\r\n";
}

}  // namespace

TEST_CASE("a request after one that set every per-message fact sees none of them") {
  Limits limits;
  limits.maxHeaderBytes = 1024;
  constexpr std::string_view kSecond =
      "POST /second HTTP/1.1\r\nHost: b\r\nUser-Agent: reset-test\r\nContent-Length: 2\r\n\r\nhi";
  constexpr std::size_t kSecondHead = kSecond.size() - 2;
  // The first head leaves room for its trailer field (charged 9 + 1 + 32 bytes against the same
  // budget) but not for the second head: a head count carried over would refuse it with a 431.
  const std::size_t firstHead = limits.maxHeaderBytes - kSecondHead + 10;
  const std::string first = requestWithEveryFact(firstHead);

  for (const Feeding feeding : {Feeding::Whole, Feeding::ByteByByte}) {
    INFO(describe(feeding));
    RequestParser parser{limits};
    REQUIRE(parseOne(parser, first, feeding).status == ParseStatus::MessageComplete);
    // The first request did set each fact, so seeing none of them below means the reset did it.
    REQUIRE(parser.request().chunked);
    REQUIRE(parser.request().expectContinue);
    REQUIRE_FALSE(parser.request().keepAlive);
    REQUIRE(parser.request().trailers.size() == 1);
    REQUIRE(parser.request().body == "abc");
    REQUIRE(parser.headerBytes() == firstHead);

    parser.reset();
    REQUIRE_FALSE(parser.inProgress());
    REQUIRE_FALSE(parser.headComplete());
    REQUIRE(parser.headerBytes() == 0);

    const ParseResult r = parseOne(parser, kSecond, feeding);
    INFO("error: " << parser.error().status << " " << parser.error().reason);
    REQUIRE(r.status == ParseStatus::MessageComplete);
    REQUIRE(r.consumed == kSecond.size());
    REQUIRE(parser.error().status == 0);
    REQUIRE(parser.headerBytes() == kSecondHead);
    const Request& second = parser.request();
    REQUIRE(second.method == "POST");
    REQUIRE(second.target == "/second");
    REQUIRE(second.path == "/second");
    REQUIRE(second.query.empty());
    REQUIRE(second.headers.size() == 3);
    REQUIRE(second.headers[0].name == "Host");
    REQUIRE(second.trailers.empty());
    REQUIRE(second.body == "hi");
    REQUIRE_FALSE(second.chunked);
    REQUIRE_FALSE(second.expectContinue);
    REQUIRE(second.keepAlive);
    REQUIRE(second.contentLength == 2);
  }
}

TEST_CASE("a request after one with keep-alive and a Content-Length has neither") {
  // RFC 9112 9.3: an HTTP/1.0 request persists only with "Connection: keep-alive", so a token
  // carried over from the previous request would keep a connection the client meant to close.
  constexpr std::string_view kFirst =
      "POST /a HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nx";
  constexpr std::string_view kSecond = "GET /b HTTP/1.0\r\n\r\n";
  for (const Feeding feeding : {Feeding::Whole, Feeding::ByteByByte}) {
    INFO(describe(feeding));
    RequestParser parser{Limits{}};
    REQUIRE(parseOne(parser, kFirst, feeding).status == ParseStatus::MessageComplete);
    REQUIRE(parser.request().keepAlive);
    REQUIRE(parser.request().contentLength == 1);

    parser.reset();
    REQUIRE(parseOne(parser, kSecond, feeding).status == ParseStatus::MessageComplete);
    const Request& second = parser.request();
    REQUIRE(second.versionMinor == 0);
    REQUIRE_FALSE(second.keepAlive);
    REQUIRE_FALSE(second.contentLength.has_value());
    REQUIRE(second.headers.empty());
    REQUIRE(second.body.empty());
  }
}

TEST_CASE("a chunked request after one whose trailers used most of the budget gets the budget") {
  // The trailer fields of each request are charged against that request's header budget alone.
  Limits limits;
  limits.maxHeaderBytes = 256;
  const std::string bigTrailer = "X-Big: " + std::string(120, 't') + "\r\n";
  const std::string first =
      "POST /a HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n" + bigTrailer +
      "\r\n";
  const std::string second =
      "POST /b HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n" +
      bigTrailer + "\r\n";
  for (const Feeding feeding : {Feeding::Whole, Feeding::ByteByByte}) {
    INFO(describe(feeding));
    RequestParser parser{limits};
    REQUIRE(parseOne(parser, first, feeding).status == ParseStatus::MessageComplete);
    REQUIRE(parser.request().trailers.size() == 1);

    parser.reset();
    const ParseResult r = parseOne(parser, second, feeding);
    INFO("error: " << parser.error().status << " " << parser.error().reason);
    REQUIRE(r.status == ParseStatus::MessageComplete);
    REQUIRE(r.consumed == second.size());
    REQUIRE(parser.request().headers.size() == 2);
    REQUIRE(parser.request().trailers.size() == 1);
    REQUIRE(parser.request().body == "ok");
  }
}

TEST_CASE("a request after a refused one is parsed from a clean start") {
  // The parser answers Error until reset(); after it, the refusal and the framing scanner's state
  // are gone, and the scanner checks the next request again. A connection closes after a
  // refusal, but the parser must not depend on that.
  constexpr std::string_view kBareLf = "GET /a HTTP/1.1\nHost: a\r\n\r\n";
  // RFC 9112 3: one SP between the parts of the request line. llhttp skips the second one, so
  // only the framing scanner refuses this.
  constexpr std::string_view kTwoSpaces = "GET  /b HTTP/1.1\r\nHost: b\r\n\r\n";
  constexpr std::string_view kGood = "GET /c HTTP/1.1\r\nHost: c\r\n\r\n";
  for (const Feeding feeding : {Feeding::Whole, Feeding::ByteByByte}) {
    INFO(describe(feeding));
    RequestParser parser{Limits{}};
    REQUIRE(parseOne(parser, kBareLf, feeding).status == ParseStatus::Error);
    REQUIRE(parser.error().status == 400);
    REQUIRE(parser.error().reason == "bare lf");

    parser.reset();
    REQUIRE(parser.error().status == 0);
    REQUIRE(parseOne(parser, kTwoSpaces, feeding).status == ParseStatus::Error);
    REQUIRE(parser.error().status == 400);
    REQUIRE(parser.error().reason == "malformed request line");

    parser.reset();
    const ParseResult r = parseOne(parser, kGood, feeding);
    REQUIRE(r.status == ParseStatus::MessageComplete);
    REQUIRE(r.consumed == kGood.size());
    REQUIRE(parser.request().path == "/c");
    REQUIRE(parser.request().headers.size() == 1);
  }
}
