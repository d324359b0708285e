// Back-pressure on the response: a paused consumer gets no more body pieces and the pool stops
// reading the upstream's socket, so a large response is never buffered whole; resume() picks up
// where it stopped and the body arrives complete.
#include <catch2/catch.hpp>

#include "tests/upstream/pool_harness.h"

using namespace closewise;
using namespace closewise::testing;

TEST_CASE("pausing stops delivery and reading; resuming delivers the rest", "[pool][pressure]") {
  const std::string big(4 * 1024 * 1024, 'b');
  auto settings = fastSettings();
  settings.timeouts.stall = 2'000ms;
  PoolHarness h([&](FakePeer& peer, const std::string&) { peer.send(okResponse(big)); }, settings);
  Outcome o;
  upstream::RequestHandle handle;
  std::size_t received = 0;
  upstream::ResponseCallbacks callbacks = o.callbacks();
  callbacks.onBody = [&](std::string_view piece) {
    received += piece.size();
    handle.pause();  // a downstream socket that is full after every piece
  };
  handle = h.pool->request(get(), std::move(callbacks));
  REQUIRE(h.fx.runUntil([&] { return received > 0; }));
  const std::size_t atPause = received;
  h.fx.runFor(50ms);
  CHECK(received == atPause);  // nothing delivered while paused
  CHECK(received < big.size() / 4);
  while (!o.done() && received < big.size()) {
    const std::size_t before = received;
    handle.resume();
    h.fx.runUntil([&] { return received > before || o.done(); }, 1s);
  }
  handle.resume();
  REQUIRE(h.runUntilDone(o));
  CHECK(o.ended);
  CHECK(received == big.size());
}
