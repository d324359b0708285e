// A peer that does not read cannot make a WebSocket buffer without bound: once 16 KiB wait on
// it, send() refuses (returns false, queues nothing), and onDrain runs when the peer has read the
// queue below 4 KiB. The route here sends 4 KiB messages for as long as send() takes them.
#include <catch2/catch.hpp>
#include <list>

#include "tests/server/ws_client.h"

using namespace closewise;
using namespace closewise::testing;

namespace {

struct Flood {
  std::list<server::WebSocket> sockets;
  std::size_t accepted = 0;  // messages send() took
  std::size_t refusals = 0;
  std::size_t bufferedAtRefusal = 0;
  int drains = 0;
  int refillUntil = 1'000'000;  // drains that refill; the last one does not

  void fill(server::WebSocket& socket) {
    const std::string message(4096, 'm');
    while (socket.sendBinary(message)) ++accepted;
    ++refusals;
    bufferedAtRefusal = socket.bufferedAmount();
    socket.onDrain([this, &socket] {
      ++drains;
      if (drains < refillUntil) fill(socket);
    });
  }
};

}  // namespace

TEST_CASE("send refuses at the high-water mark and onDrain resumes it", "[websocket]") {
  Flood flood;
  ServerFixture fixture({}, [&flood](server::Router& router) {
    router.on("GET", "/ws/flood", [&flood](const server::Request& request, server::Responder r) {
      auto socket = server::acceptWebSocket(request, std::move(r));
      if (!socket) return;
      flood.fill(flood.sockets.emplace_back(std::move(*socket)));
    });
  });
  RawClient& client = fixture.connect();
  REQUIRE(fixture.runUntil([&] { return client.connected(); }));
  client.pauseReading();
  client.send(wsHandshake("/ws/flood"));
  // The kernel's buffers take what they can (each drain refills), then it stalls: nothing drains
  // while the peer does not read.
  REQUIRE(fixture.runUntil([&] { return flood.refusals >= 1; }));
  std::size_t stalledAt = 0;
  bool stalled = false;
  for (int i = 0; i < 100 && !stalled; ++i) {
    stalledAt = flood.refusals;
    fixture.runFor(100ms);
    stalled = flood.refusals == stalledAt;
  }
  REQUIRE(stalled);
  // User space holds at most the mark plus one message and its header.
  CHECK(flood.bufferedAtRefusal >= 16 * 1024);
  CHECK(flood.bufferedAtRefusal < 16 * 1024 + 4096 + 14);

  client.keepOnlyCount(true);
  client.resumeReading();
  flood.refillUntil = flood.drains + 3;
  REQUIRE(fixture.runUntil([&] { return flood.drains == flood.refillUntil; }));
  CHECK(flood.refusals == stalledAt + 2);
  CHECK(fixture.tally().websocket.messagesOut == static_cast<std::int64_t>(flood.accepted));
}
