// Messages reach the handler whole, however the peer cuts them: in one frame, in fragments with
// a ping between them (RFC 6455 section 5.4), one byte per read, or in the same read as the
// handshake. The echo route sends each back with its type; the books count both directions.
#include <catch2/catch.hpp>

#include "tests/server/ws_client.h"

using namespace closewise;
using namespace closewise::testing;

namespace {

// Waits until `count` frames have come back after the 101.
bool framesCame(ServerFixture& fixture, RawClient& client, std::size_t count) {
  return fixture.runUntil([&] { return serverFrames(client.received()).size() >= count; });
}

}  // namespace

TEST_CASE("text and binary messages are echoed with their type", "[websocket][echo]") {
  ServerFixture fixture;
  RawClient& client = openWebSocket(fixture);
  client.send(clientFrame(0x1, "hello"));
  client.send(clientFrame(0x2, std::string("\x00\xff\x10", 3)));
  const std::string big(70'000, 'x');  // a 64-bit length
  client.send(clientFrame(0x2, big));
  REQUIRE(framesCame(fixture, client, 3));
  const auto frames = serverFrames(client.received());
  CHECK(frames[0].opcode == 0x1);
  CHECK(frames[0].payload == "hello");
  CHECK(frames[1].opcode == 0x2);
  CHECK(frames[1].payload == std::string("\x00\xff\x10", 3));
  CHECK(frames[2].payload == big);
  for (const ServerFrame& frame : frames) {
    CHECK(frame.fin);
    CHECK_FALSE(frame.masked);  // RFC 6455 section 5.1: a server never masks
  }
  const auto books = fixture.tally().websocket;
  CHECK(books.messagesIn == 3);
  CHECK(books.messagesOut == 3);
  CHECK(books.bytesIn == static_cast<std::int64_t>(5 + 3 + big.size()));
  CHECK(books.bytesOut == books.bytesIn);
}

TEST_CASE("a fragmented message with a ping between its fragments is one message",
          "[websocket][echo]") {
  ServerFixture fixture;
  RawClient& client = openWebSocket(fixture);
  client.send(clientFrame(0x1, "frag", false) + clientFrame(0x9, "p") +
              clientFrame(0x0, "men", false) + clientFrame(0x0, "ted", true));
  REQUIRE(framesCame(fixture, client, 2));
  const auto frames = serverFrames(client.received());
  CHECK(frames[0].opcode == 0xA);  // the pong, at once
  CHECK(frames[0].payload == "p");
  CHECK(frames[1].opcode == 0x1);
  CHECK(frames[1].payload == "fragmented");
  CHECK(fixture.tally().websocket.messagesIn == 1);
}

TEST_CASE("a message fed one byte per read is echoed whole", "[websocket][echo]") {
  ServerFixture fixture;
  RawClient& client = openWebSocket(fixture);
  const std::string frame = clientFrame(0x1, "one byte at a time, \xc3\xa9 included");
  for (const char byte : frame) {
    client.send(std::string(1, byte));
    fixture.runFor(2ms);
  }
  REQUIRE(framesCame(fixture, client, 1));
  CHECK(serverFrames(client.received())[0].payload == "one byte at a time, \xc3\xa9 included");
}

TEST_CASE("frames in the handshake's read are the first messages", "[websocket][echo]") {
  ServerFixture fixture;
  RawClient& client = fixture.connect();
  client.send(wsHandshake() + clientFrame(0x1, "early"));
  REQUIRE(framesCame(fixture, client, 1));
  CHECK(client.received().starts_with("HTTP/1.1 101 "));
  CHECK(serverFrames(client.received())[0].payload == "early");
}
