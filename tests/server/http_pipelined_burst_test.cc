// A burst of 2,000 tiny pipelined requests in one write. The connection parses and answers them
// in a loop, never by recursion (see Connection::drive), so the burst is answered completely and
// in order without the stack growing per request; under AddressSanitizer a recursive design
// would overflow its (larger) stack frames here.
#include <catch2/catch.hpp>
#include <cstdio>
#include <string>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

namespace {

constexpr int kRequests = 2000;

// Request i carries its number as a four-digit body, so the order of the answers is visible.
std::string number(int i) {
  char digits[8];
  std::snprintf(digits, sizeof digits, "%04d", i);
  return digits;
}

}  // namespace

TEST_CASE("2,000 pipelined requests in one write are all answered, in order") {
  ServerFixture fixture;
  RawClient& client = fixture.connect();

  std::string burst;
  std::string expected;
  for (int i = 0; i < kRequests; ++i) {
    burst += "PUT /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\n" + number(i);
    expected +=
        "HTTP/1.1 200 OK\r\nDate: *\r\nServer: closewise\r\nContent-Length: 4\r\n\r\n" + number(i);
  }
  client.send(burst);

  // Every answer has the same length once the date is masked, and the date has a fixed width.
  const std::size_t dateWidth = std::string_view("Sun, 06 Nov 1994 08:49:37 GMT").size();
  const std::size_t wireSize = expected.size() + kRequests * (dateWidth - 1);
  REQUIRE(fixture.runUntil([&] { return client.receivedBytes() >= wireSize; }, 20s));
  CHECK(client.receivedBytes() == wireSize);
  CHECK(withDateMasked(client.received()) == expected);
  CHECK(fixture.tally().requests == kRequests);
  CHECK(fixture.tally().accepted == 1);
  CHECK_FALSE(client.eof());
}
