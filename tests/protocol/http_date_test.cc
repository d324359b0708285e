// Dates are IMF-fixdate (RFC 9110 5.6.7), in GMT whatever the locale or TZ, and DateCache
// reformats only when the second changes.
#include "protocol/http_date.h"

#include <catch2/catch.hpp>
#include <string>
#include <string_view>

using namespace closewise::protocol;

TEST_CASE("formatHttpDate writes IMF-fixdate") {
  REQUIRE(formatHttpDate(784111777) == "Sun, 06 Nov 1994 08:49:37 GMT");  // RFC 9110's example
  REQUIRE(formatHttpDate(0) == "Thu, 01 Jan 1970 00:00:00 GMT");
  REQUIRE(formatHttpDate(951782400) == "Tue, 29 Feb 2000 00:00:00 GMT");
  REQUIRE(formatHttpDate(4102444799) == "Thu, 31 Dec 2099 23:59:59 GMT");
}

TEST_CASE("DateCache returns the same text within a second and new text after it") {
  DateCache cache;
  const std::string_view first = cache.get(784111777);
  REQUIRE(first == "Sun, 06 Nov 1994 08:49:37 GMT");
  const std::string_view again = cache.get(784111777);
  REQUIRE(again.data() == first.data());
  REQUIRE(cache.get(784111778) == "Sun, 06 Nov 1994 08:49:38 GMT");
  REQUIRE(cache.get(0) == "Thu, 01 Jan 1970 00:00:00 GMT");
}
