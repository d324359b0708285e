// Request::queryParam returns the first raw value of a key: no percent-decoding, so the view
// points into Request::query without a copy.
#include <catch2/catch.hpp>
#include <optional>
#include <string_view>

#include "protocol/request.h"

using namespace closewise::protocol;

TEST_CASE("queryParam finds the first value of a key, raw") {
  Request req;
  req.query = "ms=5&name=a%20b&flag&ms=7&empty=&=x";
  REQUIRE(req.queryParam("ms") == std::optional<std::string_view>{"5"});
  REQUIRE(req.queryParam("name") == std::optional<std::string_view>{"a%20b"});
  REQUIRE(req.queryParam("flag") == std::optional<std::string_view>{""});
  REQUIRE(req.queryParam("empty") == std::optional<std::string_view>{""});
  REQUIRE(req.queryParam("") == std::optional<std::string_view>{"x"});
  REQUIRE(req.queryParam("m") == std::nullopt);
  REQUIRE(req.queryParam("MS") == std::nullopt);  // Keys are case-sensitive.
  REQUIRE(req.queryParam("ms")->data() == req.query.data() + 3);
}

TEST_CASE("queryParam on an empty query finds nothing") {
  Request req;
  REQUIRE(req.queryParam("ms") == std::nullopt);
  req.query = "&&";
  REQUIRE(req.queryParam("ms") == std::nullopt);
}
