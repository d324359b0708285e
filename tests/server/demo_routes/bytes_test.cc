// The demo route /bytes?n=N answers exactly N bytes under a Content-Length of N, for N = 0, 1 and
// 1 MiB. The large answer is produced as the socket drains (wantsMore/onWritable), and a request
// pipelined behind it is answered right after its last byte, which proves the length was exact:
// one byte too many or too few and the next status line would not start where it should.
#include <catch2/catch.hpp>
#include <string>

#include "tests/server/demo_routes/demo_fixture.h"

using namespace closewise;
using namespace closewise::testing;

namespace {

std::string bytesAnswer(std::size_t n) {
  return "HTTP/1.1 200 OK\r\nDate: *\r\nServer: closewise\r\nContent-Length: " + std::to_string(n) +
         "\r\nContent-Type: application/octet-stream\r\n\r\n" + std::string(n, 'x');
}

constexpr std::string_view kHello =
    "HTTP/1.1 200 OK\r\nDate: *\r\nServer: closewise\r\nContent-Length: 21\r\n"
    "Content-Type: text/plain\r\n\r\nhello from closewise\n";

}  // namespace

TEST_CASE("/bytes?n=N answers exactly N bytes for N = 0, 1 and 1 MiB") {
  const std::size_t n = GENERATE(std::size_t{0}, std::size_t{1}, std::size_t{1} << 20);
  INFO("n = " << n);
  DemoFixture fixture;
  RawClient& client = fixture.connect();
  client.send(get("/bytes?n=" + std::to_string(n)) + get("/"));

  const std::string expected = bytesAnswer(n) + std::string(kHello);
  const std::size_t dateWidth = std::string_view("Sun, 06 Nov 1994 08:49:37 GMT").size() - 1;
  REQUIRE(fixture.runUntil(
      [&] { return client.receivedBytes() >= expected.size() + 2 * dateWidth; }, 15s));
  CHECK(client.receivedBytes() == expected.size() + 2 * dateWidth);
  CHECK(withDateMasked(client.received()) == expected);
  CHECK(fixture.tally().requests == 2);
}

TEST_CASE("/bytes takes n up to 1 GiB: the largest answer starts with its exact length") {
  DemoFixture fixture;
  RawClient& client = fixture.connect();
  client.send(get("/bytes?n=1073741824"));
  REQUIRE(
      fixture.runUntil([&] { return client.received().find("\r\n\r\n") != std::string::npos; }));
  CHECK(withDateMasked(client.received())
            .rfind(
                "HTTP/1.1 200 OK\r\nDate: *\r\nServer: closewise\r\nContent-Length: 1073741824\r\n",
                0) == 0);
  // The client leaves long before the end; the server lets go of the answer.
  client.reset();
  REQUIRE(fixture.runUntil([&] { return fixture.tally().closed == 1; }));
}
