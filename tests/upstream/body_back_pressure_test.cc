// Back-pressure on the response: a paused consumer gets no more body pieces and the pool stops
// reading the upstream's socket, so a large response is never buffered whole; resume() picks up
// where it stopped and the body arrives complete.
#include <catch2/catch.hpp>

#include "tests/upstream/pool_harness.h"

using namespace closewise;
using namespace closewise::testing;

TEST_CASE("pausing stops delivery and reading, and resuming delivers the rest",
          "[pool][pressure]") {
  // Chunked in 1 KiB chunks, so one read holds many pieces: a pause must stop between them.
  const std::string chunk(1024, 'b');
  std::string chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 4096; ++i) chunked += "400\r\n" + chunk + "\r\n";
  chunked += "0\r\n\r\n";
  const std::size_t total = 4096 * chunk.size();
  auto settings = fastSettings();
  settings.timeouts.stall = 2'000ms;
  PoolHarness h([&](FakePeer& peer, const std::string&) { peer.send(chunked); }, settings);
  Outcome o;
  upstream::RequestHandle handle;
  std::size_t received = 0;
  bool paused = false;
  int deliveredWhilePaused = 0;
  upstream::ResponseCallbacks callbacks = o.callbacks();
  callbacks.onBody = [&](std::string_view piece) {
    received += piece.size();
    if (paused) ++deliveredWhilePaused;
    paused = true;
    handle.pause();  // a downstream socket that is full after every piece
  };
  handle = h.pool->request(get(), std::move(callbacks));
  REQUIRE(h.fx.runUntil([&] { return received > 0; }));
  const std::size_t atPause = received;
  h.fx.runFor(50ms);
  CHECK(received == atPause);  // nothing delivered while paused
  CHECK(received < total / 4);
  while (!o.done() && received < total) {
    const std::size_t before = received;
    paused = false;
    handle.resume();
    h.fx.runUntil([&] { return received > before || o.done(); }, 1s);
  }
  paused = false;
  handle.resume();
  REQUIRE(h.runUntilDone(o));
  CHECK(deliveredWhilePaused == 0);
  CHECK(o.ended);
  CHECK(received == total);
}

TEST_CASE("a pause made before the request has a connection holds", "[pool][pressure]") {
  PoolHarness h([](FakePeer& peer, const std::string&) { peer.send(okResponse("held back")); });
  Outcome& o = h.send();
  h.handle(0).pause();  // still queued: dispatch comes on the next turn of the loop
  REQUIRE(h.fx.runUntil([&] { return h.upstream.requests() == 1 || o.done(); }));
  INFO("error: " << (o.error ? upstream::errorKindName(o.error->kind) : "none") << " "
                 << (o.error ? o.error->detail : ""));
  REQUIRE(h.upstream.requests() == 1);
  h.fx.runFor(30ms);
  CHECK(o.status == 0);
  CHECK_FALSE(o.done());
  h.handle(0).resume();
  REQUIRE(h.runUntilDone(o));
  CHECK(o.body == "held back");
}
