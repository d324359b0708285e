// A client that vanishes mid-upload ends the streamed body: the handler's onError(0) runs, then
// onCancel, and the close is counted as for any other request (peer_reset for an RST,
// peer_closed for a FIN before the body ended).
#include <catch2/catch.hpp>
#include <optional>
#include <string>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

namespace {

struct Seen {
  std::optional<server::Responder> responder;
  std::uint64_t received = 0;
  int errorStatus = -1;
  int cancels = 0;
  bool ended = false;
};

void addCountingRoute(server::Router& router, Seen& seen) {
  router.on("POST", "/upload",
            [&seen](const server::Request&, server::Responder responder) {
              seen.responder.emplace(std::move(responder));
              seen.responder->onCancel([&seen] { ++seen.cancels; });
              seen.responder->readBody(
                  {.onData = [&seen](std::string_view piece) { seen.received += piece.size(); },
                   .onEnd = [&seen] { seen.ended = true; },
                   .onError = [&seen](int status) { seen.errorStatus = status; }});
            },
            {.streamBody = true});
}

const std::string kHead = "POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n";

}  // namespace

TEST_CASE("a reset mid-upload fails the body and cancels the handler") {
  Seen seen;
  ServerFixture fixture({}, [&](server::Router& router) { addCountingRoute(router, seen); });
  RawClient& client = fixture.connect();
  client.send(kHead + std::string(1000, 'x'));
  REQUIRE(fixture.runUntil([&] { return seen.received == 1000; }));
  client.reset();
  REQUIRE(fixture.runUntil([&] { return fixture.tally().open == 0; }));
  CHECK(seen.errorStatus == 0);
  CHECK(seen.cancels == 1);
  CHECK_FALSE(seen.ended);
  CHECK(seen.responder->cancelled());
  CHECK(fixture.closedBy(lifecycle::CloseReason::PeerReset) == 1);
}

TEST_CASE("a FIN mid-upload fails the body and cancels the handler") {
  Seen seen;
  ServerFixture fixture({}, [&](server::Router& router) { addCountingRoute(router, seen); });
  RawClient& client = fixture.connect();
  client.send(kHead + std::string(1000, 'x'));
  REQUIRE(fixture.runUntil([&] { return seen.received == 1000; }));
  client.shutdownWrite();
  REQUIRE(fixture.runUntil([&] { return fixture.tally().open == 0; }));
  CHECK(seen.errorStatus == 0);
  CHECK(seen.cancels == 1);
  CHECK(fixture.closedBy(lifecycle::CloseReason::PeerClosed) == 1);
}
