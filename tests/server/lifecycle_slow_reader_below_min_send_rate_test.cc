// --min-send-rate: a client that keeps reading, but slower than the floor, makes progress for
// ever under the write deadline alone (slowhttptest -X reads 32 bytes every few seconds). Over
// each write-timeout window in which our bytes waited on it the whole time, it must take at least
// the floor, or it is reset (slow_reader). Only the client's pace is judged: a handler that
// produces in bursts, with our queue empty in between, is never blamed for its own pauses.
#include <catch2/catch.hpp>
#include <cerrno>
#include <string>

#include "tests/server/paced_reader.h"
#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::CloseReason;
using server::Request;
using server::Responder;

namespace {

// A floor far above what the slow reader below can take, and far below what loopback carries.
void highFloor(server::WorkerOptions& o) {
  o.timeouts.write = 100ms;
  o.timeouts.minSendRate = 16 * 1024 * 1024;
}

// 256 KiB every 60 ms (less than the write timeout, which also bounds a handler's silence), four
// times: more than the kernel takes at once, so each burst waits in our queue for a moment, then
// nothing is queued until the next one.
struct Bursts {
  uv_timer_t timer{};
  Responder responder;
  int left = 4;

  static void start(const Request&, Responder responder) {
    auto* self = new Bursts{{}, std::move(responder)};
    uv_timer_init(self->responder.loop(), &self->timer);
    self->timer.data = self;
    self->responder.onCancel([self] { self->finish(); });
    self->responder.start(200, {}, std::uint64_t{4} * 256 * 1024);
    self->tick();
    uv_timer_start(
        &self->timer, [](uv_timer_t* t) { static_cast<Bursts*>(t->data)->tick(); }, 60, 60);
  }
  void tick() {
    responder.write(std::string(256 * 1024, 'b'));
    if (--left == 0) {
      responder.end();
      finish();
    }
  }
  void finish() {
    auto* handle = reinterpret_cast<uv_handle_t*>(&timer);
    if (uv_is_closing(handle)) return;
    uv_close(handle, [](uv_handle_t* h) { delete static_cast<Bursts*>(h->data); });
  }
};

}  // namespace

TEST_CASE("a client reading below --min-send-rate is reset as slow_reader", "[lifecycle][rate]") {
  ServerFixture fixture(highFloor);
  // 64 KiB every 10 ms is at most 6.4 MB/s, well under the 16 MiB/s floor, and steady: the write
  // deadline alone would let it read the 100 MB for 15 s.
  PacedReader reader(fixture.port(), get("/bytes?n=100000000"),
                     {64 * 1024, 10ms, std::numeric_limits<std::size_t>::max(), 64 * 1024});
  REQUIRE(fixture.runUntil([&] { return fixture.tally().closed == 1; }, 5s));
  CHECK(fixture.closedBy(CloseReason::SlowReader) == 1);
  CHECK(fixture.closedBy(CloseReason::WriteTimeout) == 0);
  REQUIRE(fixture.runUntil([&] { return reader.finished(); }, 5s));
  CHECK(reader.error() == ECONNRESET);
  CHECK(reader.received() > 0);
  CHECK(reader.received() < 100'000'000);
}

TEST_CASE("a handler that writes in bursts is not judged by --min-send-rate for its pauses",
          "[lifecycle][rate]") {
  // Averaged over the whole answer the client takes 1 MiB in 180 ms, about 6 MB/s, far below
  // the floor; but between bursts our queue is empty, and that time is not the client's.
  ServerFixture fixture(
      highFloor, [](server::Router& router) { router.on("GET", "/bursts", &Bursts::start); });
  RawClient& client = fixture.connect();
  client.keepOnlyCount(true);
  client.send(get("/bursts"));
  const bool all = fixture.runUntil([&] { return client.receivedBytes() >= 4 * 256 * 1024; }, 5s);
  INFO("received " << client.receivedBytes() << ", closed " << fixture.tally().closed
                   << ", slow_reader " << fixture.closedBy(CloseReason::SlowReader));
  REQUIRE(all);
  fixture.runFor(20ms);
  CHECK_FALSE(client.eof());
  CHECK(client.readError() == 0);
  CHECK(fixture.closedBy(CloseReason::SlowReader) == 0);
  CHECK(fixture.tally().closed == 0);
}
