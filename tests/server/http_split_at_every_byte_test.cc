// TCP is a byte stream: a request may arrive cut at any byte, and the answer must not depend on
// where (RFC 9112 section 2.1 defines the message by its bytes, not by its segments). The test
// delivers a chunked request whole, byte by byte, and cut in two at every index, and makes sure
// each piece reached the server (its bytesIn grew) before the next is sent, so the cuts are real
// reads on the server, not writes the kernel merged.
#include <catch2/catch.hpp>
#include <string>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

namespace {

// A chunked body with an extension and a trailer, so the cuts fall inside every framing element.
constexpr std::string_view kRequest =
    "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Type: text/plain\r\n"
    "Transfer-Encoding: chunked\r\n\r\n"
    "5;name=value\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: yes\r\n\r\n";

constexpr std::string_view kAnswer =
    "HTTP/1.1 200 OK\r\nDate: *\r\nServer: closewise\r\nContent-Length: 12\r\n\r\n"
    "hello, world";

std::uint64_t serverBytesIn(ServerFixture& fixture) {
  std::uint64_t total = 0;
  fixture.worker().forEachConnection([&](server::Connection& c) { total += c.bytesIn(); });
  return total;
}

// Sends piece and runs the loop until the server has read all of it.
bool deliver(ServerFixture& fixture, RawClient& client, std::string_view piece) {
  const std::uint64_t target = serverBytesIn(fixture) + piece.size();
  client.send(std::string(piece));
  return fixture.runUntil([&] { return serverBytesIn(fixture) >= target; });
}

// Nagle's algorithm (RFC 9293 section 3.7.4) holds a small segment back while an earlier one is
// unacknowledged, and the server delays its ACK (up to 40 ms on Linux) when it has nothing to
// send: each cut would cost that wait. The raw client's handle is found on the loop by its data
// pointer, and TCP_NODELAY set on it.
void disableNagle(ServerFixture& fixture, RawClient& client) {
  uv_walk(
      fixture.loop(),
      [](uv_handle_t* handle, void* owner) {
        if (handle->type == UV_TCP && handle->data == owner) {
          uv_tcp_nodelay(reinterpret_cast<uv_tcp_t*>(handle), 1);
        }
      },
      &client);
}

}  // namespace

TEST_CASE("a request sent one byte per read gets the same answer as one sent whole") {
  ServerFixture fixture;
  RawClient& client = fixture.connect();
  REQUIRE(fixture.runUntil([&] { return client.connected(); }));
  disableNagle(fixture, client);

  client.send(std::string(kRequest));
  REQUIRE(fixture.runUntil([&] { return client.responseCount() == 1; }));
  for (std::size_t i = 0; i < kRequest.size(); ++i) {
    INFO("byte " << i);
    REQUIRE(deliver(fixture, client, kRequest.substr(i, 1)));
  }
  REQUIRE(fixture.runUntil([&] { return client.receivedBytes() >= 2 * kAnswer.size(); }));
  CHECK(withDateMasked(client.received()) == std::string(kAnswer) + std::string(kAnswer));
  CHECK(fixture.tally().requests == 2);
}

TEST_CASE("a request cut in two at every index gets the same answer each time") {
  ServerFixture fixture;
  RawClient& client = fixture.connect();
  REQUIRE(fixture.runUntil([&] { return client.connected(); }));
  disableNagle(fixture, client);

  // One kept-alive connection carries every variant; each must be answered before the next
  // starts, so a cut that confused the parser would show up as a wrong or missing answer.
  for (std::size_t cut = 1; cut < kRequest.size(); ++cut) {
    INFO("cut at " << cut);
    REQUIRE(deliver(fixture, client, kRequest.substr(0, cut)));
    client.send(std::string(kRequest.substr(cut)));
    REQUIRE(fixture.runUntil([&] { return client.responseCount() == cut; }));
  }
  const std::size_t answers = kRequest.size() - 1;
  REQUIRE(fixture.runUntil([&] { return client.receivedBytes() >= answers * kAnswer.size(); }));
  std::string expected;
  for (std::size_t i = 0; i < answers; ++i) expected += kAnswer;
  CHECK(withDateMasked(client.received()) == expected);
  CHECK(fixture.tally().accepted == 1);
  CHECK(fixture.tally().closed == 0);
}
