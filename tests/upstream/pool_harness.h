// What the pool tests share: a loop, a fake upstream, a pool toward it with timeouts of tens of
// milliseconds, a recorder of what the callbacks saw, and a teardown that shuts the pool down and
// requires every handle closed.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "tests/upstream/fake_upstream.h"
#include "tests/upstream/loop_fixture.h"
#include "upstream/pool.h"

namespace closewise::testing {

// What one request's callbacks saw.
struct Outcome {
  int status = 0;
  std::string body;
  std::size_t bodyPieces = 0;
  bool ended = false;
  std::optional<upstream::Error> error;
  bool done() const noexcept { return ended || error.has_value(); }
  upstream::ResponseCallbacks callbacks();
};

upstream::PoolSettings fastSettings();
upstream::Request get(std::string target = "/");

class PoolHarness {
 public:
  explicit PoolHarness(FakeUpstream::Script script,
                       upstream::PoolSettings settings = fastSettings());
  explicit PoolHarness(std::uint16_t port, upstream::PoolSettings settings = fastSettings());
  ~PoolHarness();  // shutdown, close the fake upstream, run until every handle closed

  LoopFixture fx;
  FakeUpstream upstream;
  std::unique_ptr<upstream::Pool> pool;

  // Issues a request and records its outcome in an Outcome kept by the harness.
  Outcome& send(upstream::Request request = get());
  Outcome& outcome(std::size_t i) { return *outcomes_.at(i); }
  upstream::RequestHandle& handle(std::size_t i) { return handles_.at(i); }
  bool runUntilDone(Outcome& o, std::chrono::milliseconds limit = 2s) {
    return fx.runUntil([&] { return o.done(); }, limit);
  }
  upstream::PoolSnapshot books() const { return pool->snapshot(); }
  std::int64_t closedBy(lifecycle::CloseReason r) const {
    return books().connections.closedByReason[static_cast<std::size_t>(r)];
  }
  std::int64_t errors(upstream::ErrorKind k) const {
    return books().errorsByKind[static_cast<std::size_t>(k)];
  }

 private:
  std::vector<std::unique_ptr<Outcome>> outcomes_;
  std::vector<upstream::RequestHandle> handles_;
};

}  // namespace closewise::testing
