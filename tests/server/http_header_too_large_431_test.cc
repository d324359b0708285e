// A header section larger than --max-header-bytes is refused with 431 (RFC 6585 section 5) as
// soon as it crosses the limit, not when it ends: a client sending an endless header must not
// make the server buffer it. The connection then closes gracefully: the 431, then FIN, no RST.
#include <catch2/catch.hpp>
#include <string>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

namespace {

constexpr std::size_t kLimit = 1024;

}  // namespace

TEST_CASE("a header section over --max-header-bytes gets 431, then FIN") {
  ServerFixture fixture([](server::WorkerOptions& o) { o.limits.maxHeaderBytes = kLimit; });
  RawClient& client = fixture.connect();
  // The head never ends: 64 KiB of one header value and no blank line. Only a server that counts
  // as the bytes arrive can answer it.
  client.send("GET / HTTP/1.1\r\nHost: test\r\nX-Big: " + std::string(64 * 1024, 'b'));

  REQUIRE(fixture.runUntil([&] { return client.eof() || client.readError() != 0; }));
  CHECK(withDateMasked(client.received()) ==
        "HTTP/1.1 431 Request Header Fields Too Large\r\nDate: *\r\nServer: closewise\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Length: 25\r\n"
        "Connection: close\r\n\r\nheader section too large\n");
  CHECK_FALSE(client.resetByPeer());
  CHECK(fixture.closedBy(lifecycle::CloseReason::ProtocolError) == 1);
}

TEST_CASE("a header section just under --max-header-bytes is answered normally") {
  ServerFixture fixture([](server::WorkerOptions& o) { o.limits.maxHeaderBytes = kLimit; });
  RawClient& client = fixture.connect();
  // The limit is on the whole head; fill it to 100 bytes short so the boundary is not the test.
  const std::string head = "GET / HTTP/1.1\r\nHost: test\r\nX-Big: \r\n\r\n";
  client.send("GET / HTTP/1.1\r\nHost: test\r\nX-Big: " +
              std::string(kLimit - head.size() - 100, 'b') + "\r\n\r\n");

  REQUIRE(fixture.runUntil([&] { return client.responseCount() == 1; }));
  CHECK(client.received().rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(fixture.closedBy(lifecycle::CloseReason::ProtocolError) == 0);
}
