// A request line longer than --max-header-bytes is refused with 414 URI Too Long (RFC 9110
// section 15.5.15) as soon as it crosses the limit, not when it ends, and the connection closes
// gracefully: the 414, then FIN, no RST, even though the rest of the target is still unread.
#include <catch2/catch.hpp>
#include <string>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

namespace {

constexpr std::size_t kLimit = 1024;

}  // namespace

TEST_CASE("a request-target over --max-header-bytes gets 414, then FIN") {
  ServerFixture fixture([](server::WorkerOptions& o) { o.limits.maxHeaderBytes = kLimit; });
  RawClient& client = fixture.connect();
  // 64 KiB of target and no end of line: only a server that counts as bytes arrive answers.
  client.send("GET /" + std::string(64 * 1024, 't'));

  REQUIRE(fixture.runUntil([&] { return client.eof() || client.readError() != 0; }));
  CHECK(withDateMasked(client.received()) ==
        "HTTP/1.1 414 URI Too Long\r\nDate: *\r\nServer: closewise\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Length: 24\r\n"
        "Connection: close\r\n\r\nrequest-target too long\n");
  CHECK_FALSE(client.resetByPeer());
  CHECK(fixture.closedBy(lifecycle::CloseReason::ProtocolError) == 1);
}
