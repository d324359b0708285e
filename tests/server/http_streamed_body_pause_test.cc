// pauseBody() is back-pressure: the connection stops delivering and, once its small buffer is
// full, stops reading the socket, so the kernel's buffers fill and the client's sends stall;
// resumeBody() goes on where it stopped. A body paused by its handler is not a slow client: the
// body deadline does not end it, the handler's does.
#include <catch2/catch.hpp>
#include <optional>
#include <string>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

namespace {

std::uint64_t serverBytesIn(ServerFixture& fixture) {
  std::uint64_t total = 0;
  fixture.worker().forEachConnection([&](server::Connection& c) { total += c.bytesIn(); });
  return total;
}

// The handler of POST /upload counts the body and pauses after the first piece.
struct PausingUpload {
  std::optional<server::Responder> responder;
  std::uint64_t received = 0;
  bool ended = false;
  int errorStatus = -1;
};

void addPausingRoute(server::Router& router, PausingUpload& upload) {
  router.on("POST", "/upload",
            [&upload](const server::Request&, server::Responder responder) {
              upload.responder.emplace(std::move(responder));
              upload.responder->readBody(
                  {.onData =
                       [&upload](std::string_view piece) {
                         if (upload.received == 0) upload.responder->pauseBody();
                         upload.received += piece.size();
                       },
                   .onEnd =
                       [&upload] {
                         upload.ended = true;
                         upload.responder->send(200, std::to_string(upload.received) + "\n");
                       },
                   .onError = [&upload](int status) { upload.errorStatus = status; }});
            },
            {.streamBody = true});
}

}  // namespace

TEST_CASE("a paused body stops the server reading, and resuming takes the rest") {
  const std::size_t size = 16 * 1024 * 1024;
  PausingUpload upload;
  ServerFixture fixture([&](server::WorkerOptions& o) { o.limits.maxBodyBytes = size; },
                        [&](server::Router& router) { addPausingRoute(router, upload); });
  RawClient& client = fixture.connect();
  client.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(size) +
              "\r\n\r\n" + std::string(size, 'p'));
  REQUIRE(fixture.runUntil([&] { return upload.received > 0; }));
  fixture.runFor(300ms);  // time for an unbounded reader to show itself
  const std::uint64_t readWhilePaused = serverBytesIn(fixture);
  const std::uint64_t deliveredWhilePaused = upload.received;
  fixture.runFor(100ms);
  INFO("read " << readWhilePaused << " of " << size << " while paused");
  // The server stopped reading: its count stands still, far below the body, and the rest waits
  // in the kernel's buffers and in the client's unsent queue.
  CHECK(serverBytesIn(fixture) == readWhilePaused);
  CHECK(readWhilePaused < 1024 * 1024);
  CHECK(upload.received == deliveredWhilePaused);
  CHECK_FALSE(upload.ended);

  upload.responder->resumeBody();
  REQUIRE(fixture.runUntil([&] { return client.responseCount() == 1; }, 20s));
  CHECK(upload.received == size);
  CHECK(client.received().ends_with("\r\n\r\n" + std::to_string(size) + "\n"));
}

TEST_CASE("a paused body outlives the body deadline and ends at the handler's") {
  PausingUpload upload;
  ServerFixture fixture(
      [](server::WorkerOptions& o) {
        o.timeouts.body = 40ms;
        o.timeouts.handler = 300ms;
      },
      [&](server::Router& router) { addPausingRoute(router, upload); });
  RawClient& client = fixture.connect();
  client.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nhello");
  REQUIRE(fixture.runUntil([&] { return upload.received > 0; }));
  fixture.runFor(150ms);  // several body deadlines
  CHECK(fixture.tally().open == 1);
  CHECK(client.received().empty());

  // The handler never resumes: its deadline answers 503 in its place.
  REQUIRE(fixture.runUntil([&] { return client.eof(); }));
  CHECK(client.received().starts_with("HTTP/1.1 503 "));
  CHECK(upload.errorStatus == 503);
  CHECK(fixture.closedBy(lifecycle::CloseReason::HandlerTimeout) == 1);
  CHECK(fixture.closedBy(lifecycle::CloseReason::BodyTimeout) == 0);
}
