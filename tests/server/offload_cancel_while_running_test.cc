// A client that leaves while its job runs cannot stop the thread: the work runs to its end, and
// its result is destroyed on the loop without `done`, since nobody is left to answer. The job is
// freed only then, in the after-work callback, never at the cancel: libuv still holds its
// uv_work_t. An AddressSanitizer build fails on any touch of a job freed too early.
#include <atomic>
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <thread>

#include "server/offload.h"
#include "tests/server/offload_gate.h"
#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

namespace {

// A result that records the thread it is destroyed on.
struct Result {
  std::shared_ptr<std::atomic<bool>> destroyedOnLoop;
  std::thread::id loopThread;
  Result(std::shared_ptr<std::atomic<bool>> flag, std::thread::id loop)
      : destroyedOnLoop(std::move(flag)), loopThread(loop) {}
  Result(Result&&) = default;
  ~Result() {
    if (destroyedOnLoop) *destroyedOnLoop = std::this_thread::get_id() == loopThread;
  }
};

}  // namespace

TEST_CASE("a reset while the job runs drops its result on the loop, without done") {
  Gate gate;
  std::atomic<bool> workFinished{false};
  bool doneCalled = false;
  auto resultDestroyedOnLoop = std::make_shared<std::atomic<bool>>(false);
  std::weak_ptr<int> job;
  const std::thread::id loopThread = std::this_thread::get_id();
  ServerFixture fixture({}, [&](server::Router& router) {
    router.on("GET", "/work", [&](const server::Request&, server::Responder responder) {
      auto token = std::make_shared<int>(0);
      job = token;
      server::offload(
          std::move(responder),
          [token, &gate, &workFinished, resultDestroyedOnLoop, loopThread] {
            gate.pass();
            workFinished = true;
            return Result(resultDestroyedOnLoop, loopThread);
          },
          [&doneCalled](server::Responder answer, Result) {
            doneCalled = true;
            answer.send(200, "done\n");
          });
    });
  });
  RawClient& client = fixture.connect();
  client.send(get("/work"));
  REQUIRE(fixture.runUntil([&] { return gate.arrived() == 1; }));

  client.reset();
  REQUIRE(fixture.runUntil([&] { return fixture.tally().open == 0; }));
  fixture.runFor(50ms);
  // The connection is gone, the job is not: its thread still runs the work.
  CHECK_FALSE(job.expired());
  CHECK_FALSE(workFinished);

  gate.open();
  REQUIRE(fixture.runUntil([&] { return job.expired(); }));
  CHECK(workFinished);
  CHECK_FALSE(doneCalled);
  CHECK(*resultDestroyedOnLoop);
  CHECK(fixture.worker().responses().byClass == std::array<std::int64_t, 5>{});
}
