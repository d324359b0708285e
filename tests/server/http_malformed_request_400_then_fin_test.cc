// A request whose framing two implementations could read differently is refused with 400 and
// the connection is closed (RFC 9112 sections 2.2, 3.2, 6.1, 6.3 and 7.1). The close is graceful:
// the whole 400 reaches the client, then the server's FIN, never an RST, even though the client
// has already sent bytes after the bad part that the server will never parse. Those unread bytes
// are what would turn a plain close() into an RST that destroys the answer (RFC 9112 section
// 9.6), so the server shuts down its side and reads and discards until the client's FIN.
#include <catch2/catch.hpp>
#include <string>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

namespace {

// What protocol::simpleResponse writes for an error that ends the connection.
std::string errorAnswer(std::string_view reason) {
  const std::string body = std::string(reason) + "\n";
  return "HTTP/1.1 400 Bad Request\r\nDate: *\r\nServer: closewise\r\n"
         "Content-Type: text/plain; charset=utf-8\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

// 16 KiB the server reads only to discard: far more than fits in one segment.
const std::string kTrailingBytes(16 * 1024, 'z');

// Sends request, then the trailing bytes; expects exactly the 400 for reason, then EOF.
// headsComplete is what the books should count as requests: a request refused for its body had
// a complete head, one refused for its head did not.
void expectRefusedWithFin(std::string request, std::string_view reason, int headsComplete = 0) {
  ServerFixture fixture;
  RawClient& client = fixture.connect();
  client.send(std::move(request) + kTrailingBytes);

  REQUIRE(fixture.runUntil([&] { return client.eof() || client.readError() != 0; }));
  CHECK(withDateMasked(client.received()) == errorAnswer(reason));
  CHECK(client.eof());
  CHECK_FALSE(client.resetByPeer());
  CHECK(fixture.closedBy(lifecycle::CloseReason::ProtocolError) == 1);
  CHECK(fixture.tally().requests == headsComplete);
  // Lingering: the server's FIN is out and it waits, reading, for ours.
  CHECK(fixture.inPhase(lifecycle::Phase::Closing) == 1);
  client.shutdownWrite();
  REQUIRE(fixture.runUntil([&] { return fixture.tally().open == 0; }));
}

}  // namespace

TEST_CASE("Content-Length with Transfer-Encoding is refused with 400, then FIN") {
  // RFC 9112 section 6.3 item 3: the classic request-smuggling vector.
  expectRefusedWithFin(
      "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\n"
      "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      "both content-length and transfer-encoding");
}

TEST_CASE("two different Content-Length values are refused with 400, then FIN") {
  // RFC 9112 section 6.3 item 5.
  expectRefusedWithFin(
      "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"
      "hello!",
      "duplicate content-length");
}

TEST_CASE("an invalid chunk size is refused with 400, then FIN") {
  // RFC 9112 section 7.1: chunk-size is 1*HEXDIG.
  expectRefusedWithFin(
      "POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n",
      "invalid chunk framing", 1);
}

TEST_CASE("a bare LF as a line end is refused with 400, then FIN") {
  // RFC 9112 section 2.2 lets a recipient accept a bare LF; a server behind proxies must not,
  // because the proxy in front may not.
  expectRefusedWithFin("GET / HTTP/1.1\nHost: test\r\n\r\n", "bare lf");
}

TEST_CASE("an HTTP/1.1 request without Host is refused with 400, then FIN") {
  // RFC 9112 section 3.2: a server MUST answer 400 to a 1.1 request that lacks Host.
  expectRefusedWithFin("GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", "missing host");
}

TEST_CASE("a request with two Host fields is refused with 400, then FIN") {
  // RFC 9112 section 3.2: ... or that has more than one Host field line.
  expectRefusedWithFin("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "more than one host");
}
