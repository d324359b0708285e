// The ping is due after --ws-ping-interval with nothing RECEIVED (RFC 6455 section 5.5.2), however
// busily the peer takes what we stream to it: its TCP taking our bytes says nothing of whether
// it would answer a ping. A client that reads a stream but never sends is pinged, and after
// --ws-pong-timeout closed as ws_ping_timeout: no close frame (it would not answer that either),
// close code 1006 on the books, and TCP closed gracefully, so the client reads everything we had
// queued and then our FIN, not a reset.
//
// The route streams 4 KiB messages for as long as send() takes them and refills on onDrain; the
// client reads them at its own pace through a small receive buffer, so our output keeps queuing
// and draining, which is what used to put the ping back.
#include <catch2/catch.hpp>
#include <list>

#include "tests/server/paced_reader.h"
#include "tests/server/ws_client.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::CloseReason;

namespace {

struct Stream {
  std::list<server::WebSocket> sockets;
  int drains = 0;

  void fill(server::WebSocket& socket) {
    const std::string message(4096, 's');
    while (socket.sendBinary(message)) {
    }
    socket.onDrain([this, &socket] {
      ++drains;
      fill(socket);
    });
  }
};

}  // namespace

TEST_CASE("a peer that reads our stream but never sends is closed as ws_ping_timeout",
          "[websocket][heartbeat]") {
  Stream stream;
  ServerFixture fixture(
      [](server::WorkerOptions& o) {
        o.timeouts.wsPingInterval = 100ms;
        o.timeouts.wsPongTimeout = 100ms;
      },
      [&stream](server::Router& router) {
        router.on("GET", "/ws/stream",
                  [&stream](const server::Request& request, server::Responder r) {
                    auto socket = server::acceptWebSocket(request, std::move(r));
                    if (!socket) return;
                    stream.fill(stream.sockets.emplace_back(std::move(*socket)));
                  });
      });
  const auto startedAt = std::chrono::steady_clock::now();
  // About 12 MB/s: the kernel's buffers fill and empty many times per ping interval.
  PacedReader reader(fixture.port(), wsHandshake("/ws/stream"),
                     {64 * 1024, 5ms, std::numeric_limits<std::size_t>::max(), 64 * 1024});
  REQUIRE(fixture.runUntil([&] { return reader.finished(); }, 3s));
  const auto took = std::chrono::steady_clock::now() - startedAt;
  INFO("closed after " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                       << " ms, " << stream.drains << " drains, " << reader.received()
                       << " bytes read");
  // The stream kept the output queuing and draining, more often than the ping interval: the
  // case this test is about (each drain used to put the ping back).
  CHECK(stream.drains >= 5);
  // Interval plus pong timeout, counted from the handshake, the last thing the client sent.
  CHECK(took >= 200ms);
  CHECK(fixture.closedBy(CloseReason::WsPingTimeout) == 1);
  CHECK(wsClosedWith(fixture, 1006) == 1);
  CHECK(wsClosedWith(fixture, 1001) == 0);
  CHECK(reader.eof());  // our FIN after the queued bytes, not a reset
  CHECK(reader.error() == 0);
}
