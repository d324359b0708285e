// A client that leaves while its job still waits for a pool thread takes the job with it: the
// job is taken off the queue (uv_cancel), its work never runs, `done` is not called, and the job
// is freed (in libuv's after-work callback, with UV_ECANCELED) without waiting for a thread.
#include <atomic>
#include <catch2/catch.hpp>
#include <memory>

#include "server/offload.h"
#include "tests/server/offload_gate.h"
#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

TEST_CASE("a reset while the job is queued cancels it: no work, no done, the job freed") {
  std::atomic<bool> workRan{false};
  bool doneCalled = false;
  bool handlerRan = false;
  // The job holds the only other reference, so the weak one expires exactly when it is freed.
  std::weak_ptr<int> job;
  ServerFixture fixture({}, [&](server::Router& router) {
    router.on("GET", "/work", [&](const server::Request&, server::Responder responder) {
      auto token = std::make_shared<int>(0);
      job = token;
      handlerRan = true;
      server::offload(
          std::move(responder), [token, &workRan] { workRan = true; },
          [&doneCalled](server::Responder answer) {
            doneCalled = true;
            answer.send(200, "done\n");
          });
    });
  });
  PoolBlockers blockers(fixture.loop());
  REQUIRE(fixture.runUntil([&] { return blockers.allRunning(); }));

  RawClient& client = fixture.connect();
  client.send(get("/work"));
  REQUIRE(fixture.runUntil([&] { return handlerRan; }));
  CHECK_FALSE(job.expired());  // queued behind the blockers

  client.reset();
  REQUIRE(fixture.runUntil([&] { return fixture.tally().open == 0; }));
  // Freed while every pool thread is still blocked: it was never run, only dequeued.
  REQUIRE(fixture.runUntil([&] { return job.expired(); }));
  CHECK(blockers.allRunning());
  CHECK_FALSE(workRan);
  CHECK_FALSE(doneCalled);
  CHECK(fixture.closedBy(lifecycle::CloseReason::PeerReset) == 1);
}
