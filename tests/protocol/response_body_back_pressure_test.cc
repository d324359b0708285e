// The body is never buffered: each piece is handed out as a view into the bytes fed, and parsing
// stops after it, so the caller forwards it before the parser takes another byte. The bytes
// after a piece stay with the caller until it feeds them again.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "protocol/response_parser.h"

using namespace closewise::protocol;

TEST_CASE("parsing stops after each chunk's data, leaving the rest with the caller") {
  ResponseParser parser{ResponseLimits{}};
  parser.expect("GET");
  const std::string input =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nfirst\r\n6\r\nsecond\r\n0\r\n\r\n";
  const char* data = input.data();
  std::size_t len = input.size();
  ResponseResult r = parser.feed(data, len);
  REQUIRE(r.status == ResponseStatus::HeadComplete);
  data += r.consumed;
  len -= r.consumed;

  std::vector<std::string_view> pieces;
  while (true) {
    r = parser.feed(data, len);
    if (r.status != ResponseStatus::Body) break;
    // The piece ends the bytes consumed: nothing after it was parsed yet.
    REQUIRE(parser.body().data() + parser.body().size() == data + r.consumed);
    pieces.push_back(parser.body());
    data += r.consumed;
    len -= r.consumed;
  }
  REQUIRE(r.status == ResponseStatus::MessageComplete);
  REQUIRE(pieces == std::vector<std::string_view>{"first", "second"});
  // The pieces point into the input: no copy was made.
  REQUIRE(pieces[0].data() == input.data() + input.find("first"));
  REQUIRE(pieces[1].data() == input.data() + input.find("second"));
}

TEST_CASE("a body piece held back is handed out again by the next feed of the same bytes") {
  // A caller whose receiver is full keeps the unconsumed bytes and feeds them later: a large
  // Content-Length body in one read comes out as one piece, then the end.
  ResponseParser parser{ResponseLimits{}};
  parser.expect("GET");
  const std::string body(100000, 'b');
  const std::string input =
      "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  ResponseResult r = parser.feed(input.data(), input.size());
  REQUIRE(r.status == ResponseStatus::HeadComplete);
  const std::size_t headSize = r.consumed;
  r = parser.feed(input.data() + headSize, input.size() - headSize);
  REQUIRE(r.status == ResponseStatus::Body);
  REQUIRE(parser.body().size() == body.size());
  REQUIRE(parser.body().data() == input.data() + headSize);
  // The end of the body is known only after the caller comes back, with nothing left to feed.
  r = parser.feed(nullptr, 0);
  REQUIRE(r.status == ResponseStatus::MessageComplete);
  REQUIRE(r.consumed == 0);
}
