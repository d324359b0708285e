// Answers to pipelined requests that arrived together leave together: the connection holds each
// answer back while more parsed input is waiting (and the exchange ends in keep-alive), and writes
// the batch with one send(2). The order is still the order of the requests (RFC 9112 section
// 9.3.2), and an answer that ends the connection, or the last one of a batch, is not held.
//
// The client counts the TCP segments it received (tcpi_segs_in): one send of a batch this small
// is one segment on loopback, where a send per answer would be one segment per answer.
#include <catch2/catch.hpp>
#include <string>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

namespace {

std::size_t count(const std::string& haystack, std::string_view needle) {
  std::size_t n = 0;
  for (auto pos = haystack.find(needle); pos != std::string::npos;
       pos = haystack.find(needle, pos + 1)) {
    ++n;
  }
  return n;
}

}  // namespace

TEST_CASE("twenty pipelined requests read at once are answered in order by one write") {
  constexpr int kRequests = 20;
  ServerFixture fixture;
  RawClient& client = fixture.connect();
  REQUIRE(fixture.runUntil([&] { return client.connected(); }));
  // Settle the handshake's segments before counting.
  client.send(get("/"));
  REQUIRE(fixture.runUntil([&] { return client.responseCount() == 1; }));
  const std::uint32_t before = client.segmentsReceived();
  REQUIRE(before > 0);

  std::string batch;
  for (int i = 0; i < kRequests; ++i) batch += get(i % 2 == 0 ? "/" : "/nowhere");
  client.send(batch);
  REQUIRE(fixture.runUntil([&] { return client.responseCount() == 1 + kRequests; }));
  REQUIRE(fixture.runUntil([&] { return count(client.received(), "not found\n") == 10; }));

  // In order: after the first answer, 200 and 404 alternate.
  const std::string& got = client.received();
  std::size_t pos = got.find("HTTP/1.1 ", 1);
  for (int i = 0; i < kRequests; ++i) {
    REQUIRE(pos != std::string::npos);
    CHECK(got.compare(pos, 12, i % 2 == 0 ? "HTTP/1.1 200" : "HTTP/1.1 404") == 0);
    pos = got.find("HTTP/1.1 ", pos + 1);
  }
  // One segment with all twenty answers, perhaps with an ACK of our request beside it; a send
  // per answer would have been twenty.
  CHECK(client.segmentsReceived() - before <= 3);
  CHECK(fixture.tally().requests == 1 + kRequests);
  CHECK(fixture.inPhase(lifecycle::Phase::Idle) == 1);
}

TEST_CASE("a held-back answer is not lost when a later pipelined request is malformed") {
  ServerFixture fixture;
  RawClient& client = fixture.connect();
  client.send(get("/") + get("/") + "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
  REQUIRE(fixture.runUntil([&] { return client.eof(); }));
  const std::string& got = client.received();
  CHECK(count(got, "HTTP/1.1 200 OK") == 2);
  CHECK(count(got, "HTTP/1.1 400 Bad Request") == 1);
  CHECK(got.find("HTTP/1.1 400") > got.rfind("HTTP/1.1 200"));
  CHECK_FALSE(client.resetByPeer());
}

TEST_CASE("a pipelined request that waits on its handler lets the answers before it go out") {
  ServerFixture fixture;
  RawClient& client = fixture.connect();
  // The first answer is held while the /delay request is parsed; /delay then keeps the
  // exchange open for 300 ms, and the first answer must not wait for it.
  client.send(get("/") + get("/delay?ms=300"));
  REQUIRE(fixture.runUntil([&] { return client.responseCount() == 1; },
                           std::chrono::milliseconds(150)));
  CHECK(client.received().find("delayed") == std::string::npos);
  REQUIRE(fixture.runUntil([&] { return client.responseCount() == 2; }));
  CHECK(client.received().find("delayed\n") != std::string::npos);
}
