// offload() runs the work on a thread of libuv's pool, not on the loop's, and then `done` on the
// loop's thread with the Responder and the work's result, which answers the client. Work that
// returns nothing gets a `done` that takes the Responder alone.
#include <atomic>
#include <catch2/catch.hpp>
#include <string>
#include <thread>

#include "server/offload.h"
#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

TEST_CASE("offloaded work runs on the pool, and done answers on the loop with its result") {
  // The loop runs on this thread, in runUntil.
  const std::thread::id loopThread = std::this_thread::get_id();
  std::atomic<bool> workOnLoopThread{true};
  bool doneOnLoopThread = false;
  ServerFixture fixture({}, [&](server::Router& router) {
    router.on("GET", "/square", [&](const server::Request& request, server::Responder responder) {
      // What the work needs is copied into it: the Request is the connection's.
      const int n = std::stoi(std::string(request.queryParam("n").value_or("0")));
      server::offload(
          std::move(responder),
          [n, &workOnLoopThread, loopThread] {
            workOnLoopThread = std::this_thread::get_id() == loopThread;
            return n * n;
          },
          [&](server::Responder answer, int square) {
            doneOnLoopThread = std::this_thread::get_id() == loopThread;
            answer.send(200, std::to_string(square) + "\n");
          });
    });
    router.on("GET", "/touch", [&](const server::Request&, server::Responder responder) {
      server::offload(
          std::move(responder), [] {}, [](server::Responder answer) { answer.send(204, ""); });
    });
  });
  RawClient& client = fixture.connect();
  client.send(get("/square?n=12"));
  const std::string expected =
      "HTTP/1.1 200 OK\r\nDate: *\r\nServer: closewise\r\nContent-Length: 4\r\n\r\n144\n";
  REQUIRE(fixture.runUntil(
      [&] { return withDateMasked(client.received()).size() >= expected.size(); }));
  CHECK(withDateMasked(client.received()) == expected);
  CHECK_FALSE(workOnLoopThread);
  CHECK(doneOnLoopThread);

  // The connection is kept, and a job whose work returns nothing answers the same way.
  client.send(get("/touch"));
  REQUIRE(fixture.runUntil([&] { return client.responseCount() == 2; }));
  CHECK(client.received().find("HTTP/1.1 204 No Content\r\n") != std::string::npos);
  REQUIRE(fixture.runUntil([&] { return fixture.inPhase(lifecycle::Phase::Idle) == 1; }));
}
