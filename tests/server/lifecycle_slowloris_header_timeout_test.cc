// Slowloris: a client that dribbles a request head one byte at a time to hold a connection for
// ever. The header deadline is a total counted from accept, and arriving bytes never extend it
// (nginx's client_header_timeout is per read, which a dribble resets). When it passes, the client
// gets 408 (RFC 9110 section 15.5.9) and a graceful close, reason header_timeout.
#include <catch2/catch.hpp>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::CloseReason;

TEST_CASE("a head dribbled a byte every 20 ms is cut off at the 200 ms total deadline",
          "[lifecycle][deadline]") {
  ServerFixture fixture([](server::WorkerOptions& o) { o.timeouts.header = 200ms; });
  const auto start = std::chrono::steady_clock::now();
  RawClient& client = fixture.connect();
  const std::string head = "GET / HTTP/1.1\r\nHost: test\r\nX-Slow: " + std::string(400, 'a');

  // One byte, then wait up to 20 ms for the server to give up; never more bytes than the head
  // has (400+ bytes at 20 ms each is 8 s, far past any deadline a dribble could be allowed).
  std::size_t sent = 0;
  while (sent < head.size() && !client.eof() && client.readError() == 0) {
    client.send(head.substr(sent++, 1));
    fixture.runUntil([&] { return client.eof() || client.readError() != 0; }, 20ms);
  }
  const auto took = std::chrono::steady_clock::now() - start;
  REQUIRE(client.eof());
  CHECK_FALSE(client.resetByPeer());
  CHECK(sent < head.size());

  // Cut at the total deadline: not before it, and not pushed back by the ~10 bytes sent after.
  INFO("closed after " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                       << " ms, " << sent << " bytes dribbled");
  CHECK(took >= 195ms);
  CHECK(took < 1000ms);

  const std::string& wire = client.received();
  CHECK(wire.rfind("HTTP/1.1 408 Request Timeout\r\n", 0) == 0);
  CHECK(wire.find("\r\nConnection: close\r\n") != std::string::npos);
  CHECK(wire.substr(wire.size() - 20) == "\r\n\r\nrequest timeout\n");
  CHECK(fixture.closedBy(CloseReason::HeaderTimeout) == 1);
  CHECK(fixture.tally().requests == 0);

  client.shutdownWrite();
  CHECK(fixture.runUntil([&] { return fixture.tally().open == 0; }, 2s));
}
