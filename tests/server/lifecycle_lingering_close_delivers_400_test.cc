// Why lingering close exists. A client with a bad request keeps uploading its body while the
// server answers 400. If the server then simply closed, unread input in its receive queue would
// make the kernel send RST instead of FIN (RFC 9293 section 3.10.7.1), and an RST can destroy
// the answer before the client reads it, or fail the client's next write first, so the client
// reports "connection reset" instead of the 400 (RFC 9112 section 9.6). closewise sends FIN after
// the answer and then reads and discards until the client's FIN: the client reads a complete 400.
#include <catch2/catch.hpp>
#include <csignal>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::CloseReason;

namespace {

// The body length announced by a single response's Content-Length, or npos.
std::size_t contentLength(const std::string& wire) {
  const std::string key = "\r\nContent-Length: ";
  const auto at = wire.find(key);
  if (at == std::string::npos) return std::string::npos;
  return std::stoul(wire.substr(at + key.size()));
}

}  // namespace

TEST_CASE("a client still uploading after a 400 reads the whole 400, then EOF, never RST",
          "[lifecycle][linger]") {
  ServerFixture fixture;
  // This client writes to a connection that may have been reset; a failed write must come back
  // as EPIPE, not kill the test process (app/run.cc ignores SIGPIPE for the same reason).
  std::signal(SIGPIPE, SIG_IGN);
  RawClient& client = fixture.connect();
  // Whitespace before the colon is a 400 at the head (RFC 9112 section 5.1); the body the
  // client meant to send follows at once and keeps coming.
  client.send("POST /echo HTTP/1.1\r\nHost: test\r\nX-Bad : y\r\nContent-Length: 50000000\r\n\r\n");
  const std::string piece(64 * 1024, 'b');
  for (int i = 0; i < 16; ++i) client.send(piece);  // 1 MiB unread when the answer goes out

  // Keep uploading for a while after the answer arrived, as a client blocked in its upload would.
  REQUIRE(fixture.runUntil([&] { return client.responseCount() == 1; }));
  const auto answeredAt = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - answeredAt < 300ms && !client.writeFailed() &&
         client.readError() == 0) {
    client.send(piece);
    fixture.runFor(10ms);
  }
  CHECK_FALSE(client.writeFailed());
  client.shutdownWrite();
  REQUIRE(fixture.runUntil([&] { return client.eof() || client.readError() != 0; }, 5s));

  CHECK(client.eof());
  CHECK_FALSE(client.resetByPeer());
  CHECK(client.readError() == 0);
  CHECK_FALSE(client.writeFailed());

  const std::string& wire = client.received();
  REQUIRE(wire.rfind("HTTP/1.1 400 Bad Request\r\n", 0) == 0);
  CHECK(wire.find("\r\nConnection: close\r\n") != std::string::npos);
  const auto headEnd = wire.find("\r\n\r\n");
  REQUIRE(headEnd != std::string::npos);
  const std::string body = wire.substr(headEnd + 4);
  CHECK(body.size() == contentLength(wire));
  CHECK(body == "whitespace between header name and colon\n");
  CHECK(client.responseCount() == 1);

  REQUIRE(fixture.runUntil([&] { return fixture.tally().open == 0; }, 2s));
  CHECK(fixture.closedBy(CloseReason::ProtocolError) == 1);
  // The kernel confirms a clean FIN exchange: we closed first, so our side holds TIME_WAIT. Had
  // our close been an RST there would be no TIME_WAIT (and libuv may report an RST that follows
  // unread data as EOF, so the client's flags alone could not prove it).
  CHECK(fixture.runUntil([&] { return fixture.kernelCount(kernel::TcpState::TimeWait) == 1; }, 1s));
  CHECK(fixture.kernelCount(kernel::TcpState::CloseWait) == 0);
}
