#include "tests/upstream/pool_harness.h"

#include <catch2/catch.hpp>

namespace closewise::testing {

upstream::ResponseCallbacks Outcome::callbacks() {
  return {[this](const protocol::Response& r) { status = r.status; },
          [this](std::string_view piece) {
            body.append(piece);
            ++bodyPieces;
          },
          [this] { ended = true; }, [this](const upstream::Error& e) { error = e; }};
}

upstream::PoolSettings fastSettings() {
  upstream::PoolSettings s;
  s.maxConnections = 4;
  // Long, so that on a loaded machine (two cores, a sanitizer build, other tests running) no
  // deadline a test is not about fires first; a test about one deadline makes it short itself.
  s.timeouts.connect = 2'000ms;
  s.timeouts.response = 2'000ms;
  s.timeouts.stall = 2'000ms;
  s.timeouts.idle = 2'000ms;
  s.queueTimeout = 2'000ms;
  return s;
}

upstream::Request get(std::string target) {
  return {"GET", std::move(target), {}, {}};
}

namespace {

std::unique_ptr<upstream::Pool> makePool(uv_loop_t* loop, std::uint16_t port,
                                         upstream::PoolSettings settings) {
  auto parsed = upstream::parseOrigin("http://127.0.0.1:" + std::to_string(port));
  REQUIRE(parsed.origin);
  return std::make_unique<upstream::Pool>(loop, "test", *parsed.origin, std::move(settings));
}

}  // namespace

PoolHarness::PoolHarness(FakeUpstream::Script script, upstream::PoolSettings settings)
    : upstream(fx.loop(), std::move(script)),
      pool(makePool(fx.loop(), upstream.port(), std::move(settings))) {}

PoolHarness::PoolHarness(std::uint16_t port, upstream::PoolSettings settings)
    : upstream(fx.loop(), {}), pool(makePool(fx.loop(), port, std::move(settings))) {}

PoolHarness::~PoolHarness() {
  pool->shutdown();
  upstream.close();
  const bool closed = fx.runUntil([&] { return pool->closed(); }, 2s);
  CHECK(closed);
  if (!closed) (void)pool.release();  // a leak ASan reports, rather than an assertion
}

Outcome& PoolHarness::send(upstream::Request request) {
  outcomes_.push_back(std::make_unique<Outcome>());
  Outcome& o = *outcomes_.back();
  handles_.push_back(pool->request(std::move(request), o.callbacks()));
  return o;
}

}  // namespace closewise::testing
