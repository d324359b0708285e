// The answers to the frames of one read leave together: while a read's frames are decoded, what
// the handler sends and the pongs (RFC 6455 section 5.5.3) are appended to the output, and the
// connection writes them with one send(2) when the read's frames are all handled, as it does
// pipelined HTTP answers. Order is kept, and the 16 KiB high-water mark still counts only output
// the peer has not taken: a batch that reaches it is offered to the kernel before send() refuses.
//
// The client counts the TCP segments it received (tcpi_segs_in): one send of a batch this small
// is one segment on loopback, where a send per message would be one segment per message.
#include <catch2/catch.hpp>
#include <string>

#include "tests/server/ws_client.h"

using namespace closewise;
using namespace closewise::testing;

TEST_CASE("the echoes and pongs to frames read at once leave in one write, in order",
          "[websocket][echo]") {
  constexpr int kFrames = 20;
  ServerFixture fixture;
  RawClient& client = openWebSocket(fixture);
  // Settle the handshake's segments (and any delayed ACK) before counting.
  client.send(clientFrame(0x1, "first"));
  REQUIRE(fixture.runUntil([&] { return serverFrames(client.received()).size() == 1; }));
  fixture.runFor(50ms);
  const std::uint32_t before = client.segmentsReceived();
  REQUIRE(before > 0);

  std::string batch;
  for (int i = 0; i < kFrames; ++i) {
    // Every fifth frame a ping, answered by a pong in its place among the echoes.
    batch += clientFrame(i % 5 == 4 ? 0x9 : 0x1, "m" + std::to_string(i));
  }
  client.send(batch);
  REQUIRE(fixture.runUntil(
      [&] { return serverFrames(client.received()).size() == 1 + std::size_t{kFrames}; }));

  const auto frames = serverFrames(client.received());
  for (int i = 0; i < kFrames; ++i) {
    const ServerFrame& frame = frames[1 + static_cast<std::size_t>(i)];
    CHECK(frame.opcode == (i % 5 == 4 ? 0xA : 0x1));
    CHECK(frame.payload == "m" + std::to_string(i));
  }
  // One segment with all twenty answers, perhaps with an ACK of our batch beside it; a send per
  // message would have been twenty.
  CHECK(client.segmentsReceived() - before <= 3);
  CHECK(fixture.tally().websocket.messagesOut == 1 + 16);
}

TEST_CASE("echoes of one read past the high-water mark are sent, not refused",
          "[websocket][echo]") {
  // 48 KiB of 1 KiB messages in one write: the echoes of a read pass the 16 KiB mark long before
  // the read is handled. Held bytes are not the peer's backlog; were they counted as such,
  // send() would refuse the rest with no write in flight to bring onDrain.
  constexpr int kFrames = 48;
  ServerFixture fixture;
  RawClient& client = openWebSocket(fixture);
  std::string batch;
  for (int i = 0; i < kFrames; ++i) {
    std::string payload(1024, static_cast<char>('a' + i % 26));
    batch += clientFrame(0x2, payload);
  }
  client.send(batch);
  REQUIRE(fixture.runUntil(
      [&] { return serverFrames(client.received()).size() == std::size_t{kFrames}; }));
  const auto frames = serverFrames(client.received());
  for (int i = 0; i < kFrames; ++i) {
    CHECK(frames[static_cast<std::size_t>(i)].payload ==
          std::string(1024, static_cast<char>('a' + i % 26)));
  }
  CHECK(fixture.tally().websocket.messagesOut == kFrames);
}
