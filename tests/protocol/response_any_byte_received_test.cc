// Whether any byte of the response arrived: the upstream client's retry rule (RFC 9112 9.3.1)
// retries a request on a reused connection only if the connection failed before this.
#include <catch2/catch.hpp>
#include <string>

#include "protocol/response_parser.h"

using namespace closewise::protocol;

TEST_CASE("no byte before the first one, one byte, even an interim head, is enough") {
  ResponseParser parser{ResponseLimits{}};
  parser.expect("POST");
  REQUIRE_FALSE(parser.anyByteReceived());
  REQUIRE(parser.feed(nullptr, 0).status == ResponseStatus::NeedMore);
  REQUIRE_FALSE(parser.anyByteReceived());
  REQUIRE(parser.feed("H", 1).status == ResponseStatus::NeedMore);
  REQUIRE(parser.anyByteReceived());
  REQUIRE(parser.finish() == ResponseStatus::Error);
  REQUIRE(parser.error() == "connection closed inside the response");
}

TEST_CASE("an interim response counts as the upstream having seen the request") {
  ResponseParser parser{ResponseLimits{}};
  parser.expect("POST");
  constexpr std::string_view kInput = "HTTP/1.1 100 Continue\r\n\r\n";
  REQUIRE(parser.feed(kInput.data(), kInput.size()).status == ResponseStatus::Interim);
  REQUIRE(parser.anyByteReceived());
}

TEST_CASE("expect() starts the count again for the next request") {
  ResponseParser parser{ResponseLimits{}};
  parser.expect("GET");
  constexpr std::string_view kInput = "HTTP/1.1 204 No Content\r\n\r\n";
  REQUIRE(parser.feed(kInput.data(), kInput.size()).status == ResponseStatus::HeadComplete);
  REQUIRE(parser.anyByteReceived());
  parser.expect("GET");
  REQUIRE_FALSE(parser.anyByteReceived());
  REQUIRE(parser.finish() == ResponseStatus::Error);
  REQUIRE(parser.error() == "connection closed before the response");
}
