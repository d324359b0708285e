// A body larger than --max-body-bytes is refused with 413 (RFC 9110 section 15.5.14). With a
// Content-Length the refusal comes before a single body byte is read; with chunked coding it
// comes when the running total crosses the limit. Either way the client has usually sent (part
// of) the body already, which is exactly when a careless close turns into an RST that destroys
// the 413: the server must answer, send FIN, and read and discard what keeps arriving.
#include <catch2/catch.hpp>
#include <string>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

namespace {

constexpr std::size_t kLimit = 1024;
constexpr std::string_view k413 =
    "HTTP/1.1 413 Content Too Large\r\nDate: *\r\nServer: closewise\r\n"
    "Content-Type: text/plain; charset=utf-8\r\nContent-Length: 15\r\n"
    "Connection: close\r\n\r\nbody too large\n";

void limitBody(server::WorkerOptions& o) {
  o.limits.maxBodyBytes = kLimit;
}

}  // namespace

TEST_CASE("a Content-Length body over --max-body-bytes gets 413, then FIN, not RST") {
  ServerFixture fixture(limitBody);
  RawClient& client = fixture.connect();
  const std::size_t size = 256 * 1024;
  client.send("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: " + std::to_string(size) +
              "\r\n\r\n" + std::string(size, 'b'));

  REQUIRE(fixture.runUntil([&] { return client.eof() || client.readError() != 0; }));
  CHECK(withDateMasked(client.received()) == k413);
  CHECK_FALSE(client.resetByPeer());
  CHECK(fixture.closedBy(lifecycle::CloseReason::ProtocolError) == 1);
}

TEST_CASE("a chunked body that grows over --max-body-bytes gets 413, then FIN, not RST") {
  ServerFixture fixture(limitBody);
  RawClient& client = fixture.connect();
  std::string request = "POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n";
  // 600-byte chunks: the second one takes the total over 1024.
  for (int i = 0; i < 8; ++i) request += "258\r\n" + std::string(600, 'c') + "\r\n";
  request += "0\r\n\r\n";
  client.send(request);

  REQUIRE(fixture.runUntil([&] { return client.eof() || client.readError() != 0; }));
  CHECK(withDateMasked(client.received()) == k413);
  CHECK_FALSE(client.resetByPeer());
  CHECK(fixture.closedBy(lifecycle::CloseReason::ProtocolError) == 1);
}

TEST_CASE("a body of exactly --max-body-bytes is accepted") {
  ServerFixture fixture(limitBody);
  RawClient& client = fixture.connect();
  client.send("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: " + std::to_string(kLimit) +
              "\r\n\r\n" + std::string(kLimit, 'b'));
  REQUIRE(fixture.runUntil([&] { return client.responseCount() == 1; }));
  CHECK(client.received().rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(fixture.closedBy(lifecycle::CloseReason::ProtocolError) == 0);
}
