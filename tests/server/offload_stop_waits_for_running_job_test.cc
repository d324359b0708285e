// A server that stops (SIGTERM: a drain, here with its deadline passing) while a job runs on the
// pool ends cleanly: the connection is reset at the deadline and the worker finishes, but its
// loop stays alive while the work request is active, so the thread does not return and
// uv_loop_close() does not meet a request still in flight. When the work returns, its result is
// dropped in the after-work callback, the job is freed, and the loop ends with nothing left open
// (the fixture's teardown requires uv_loop_close() == 0).
#include <atomic>
#include <catch2/catch.hpp>
#include <memory>

#include "server/offload.h"
#include "tests/server/offload_gate.h"
#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

TEST_CASE("a drain that ends while a job runs waits for the job, drops its result, ends clean") {
  Gate gate;
  bool doneCalled = false;
  std::weak_ptr<int> job;
  ServerFixture fixture([](server::WorkerOptions& o) { o.drainTimeout = 100ms; },
                        [&](server::Router& router) {
                          router.on("GET", "/work",
                                    [&](const server::Request&, server::Responder responder) {
                                      auto token = std::make_shared<int>(0);
                                      job = token;
                                      server::offload(
                                          std::move(responder), [token, &gate] { gate.pass(); },
                                          [&doneCalled](server::Responder answer) {
                                            doneCalled = true;
                                            answer.send(200, "done\n");
                                          });
                                    });
                        });
  RawClient& client = fixture.connect();
  client.send(get("/work"));
  REQUIRE(fixture.runUntil([&] { return gate.arrived() == 1; }));

  fixture.worker().beginDrain();
  REQUIRE(fixture.runUntil([&] { return fixture.worker().finished(); }));
  CHECK(fixture.closedBy(lifecycle::CloseReason::DrainDeadline) == 1);
  REQUIRE(fixture.runUntil([&] { return client.eof() || client.readError() != 0; }));
  CHECK(client.resetByPeer());

  // The server's handles are closed, as at the end of a worker's stop; the job's request is not.
  client.close();
  fixture.worker().shutdown();
  fixture.runFor(50ms);
  CHECK_FALSE(job.expired());
  CHECK(uv_loop_alive(fixture.loop()) != 0);

  gate.open();
  // What the worker thread's uv_run(UV_RUN_DEFAULT) does: run until nothing is active.
  uv_run(fixture.loop(), UV_RUN_DEFAULT);
  CHECK(job.expired());
  CHECK_FALSE(doneCalled);
  CHECK(uv_loop_alive(fixture.loop()) == 0);
}
