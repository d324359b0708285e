// --max-body-bytes holds for a streamed body too: a Content-Length over it is refused with 413
// before the handler runs; a chunked body that grows over it fails its stream (onError(413),
// then onCancel) and the connection answers 413 in the handler's place and closes.
#include <catch2/catch.hpp>
#include <optional>
#include <string>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

namespace {

constexpr std::size_t kLimit = 1024;

struct Seen {
  bool called = false;
  std::uint64_t received = 0;
  int errorStatus = -1;
  int cancels = 0;
  std::optional<server::Responder> responder;
};

void addCountingRoute(server::Router& router, Seen& seen) {
  router.on("POST", "/upload",
            [&seen](const server::Request&, server::Responder responder) {
              seen.called = true;
              seen.responder.emplace(std::move(responder));
              seen.responder->onCancel([&seen] { ++seen.cancels; });
              seen.responder->readBody(
                  {.onData = [&seen](std::string_view piece) { seen.received += piece.size(); },
                   .onEnd = [&seen] { seen.responder->send(200, "whole\n"); },
                   .onError = [&seen](int status) { seen.errorStatus = status; }});
            },
            {.streamBody = true});
}

void limitBody(server::WorkerOptions& o) {
  o.limits.maxBodyBytes = kLimit;
}

}  // namespace

TEST_CASE("a streamed Content-Length over --max-body-bytes is 413 before the handler runs") {
  Seen seen;
  ServerFixture fixture(limitBody, [&](server::Router& router) { addCountingRoute(router, seen); });
  RawClient& client = fixture.connect();
  client.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 2048\r\n\r\n");
  REQUIRE(fixture.runUntil([&] { return client.eof(); }));
  CHECK(client.received().starts_with("HTTP/1.1 413 "));
  CHECK_FALSE(seen.called);
}

TEST_CASE("a streamed chunked body that grows over --max-body-bytes fails with 413") {
  Seen seen;
  ServerFixture fixture(limitBody, [&](server::Router& router) { addCountingRoute(router, seen); });
  RawClient& client = fixture.connect();
  client.send("POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n");
  REQUIRE(fixture.runUntil([&] { return seen.called; }));
  client.send("258\r\n" + std::string(600, 'c') + "\r\n");
  REQUIRE(fixture.runUntil([&] { return seen.received == 600; }));
  // The second chunk's size takes the total over the limit: refused before its bytes are read.
  client.send("258\r\n" + std::string(600, 'c') + "\r\n0\r\n\r\n");
  REQUIRE(fixture.runUntil([&] { return client.eof(); }));
  CHECK(client.received().starts_with("HTTP/1.1 413 "));
  CHECK(client.received().find("Connection: close") != std::string::npos);
  CHECK(seen.received == 600);
  CHECK(seen.errorStatus == 413);
  CHECK(seen.cancels == 1);
  CHECK(fixture.closedBy(lifecycle::CloseReason::ProtocolError) == 1);
}
