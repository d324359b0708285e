// A handler that drops its Responder without answering (it returned without calling send, or
// the state holding the Responder was destroyed) is a bug in the handler, but the client must not
// wait for the handler deadline because of it: the server answers 500 for it at once. The 500 is
// a complete, framed answer, so the connection stays usable.
#include <catch2/catch.hpp>
#include <optional>
#include <string>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

namespace {

constexpr std::string_view k500 =
    "HTTP/1.1 500 Internal Server Error\r\nDate: *\r\nServer: closewise\r\n"
    "Content-Length: 23\r\n\r\nhandler did not answer\n";
constexpr std::string_view kHello =
    "HTTP/1.1 200 OK\r\nDate: *\r\nServer: closewise\r\nContent-Length: 3\r\n\r\nok\n";

}  // namespace

TEST_CASE("a handler that returns without answering gets an automatic 500") {
  ServerFixture fixture({}, [](server::Router& router) {
    router.on("GET", "/forgets", [](const server::Request&, server::Responder) {});
  });
  RawClient& client = fixture.connect();
  client.send(get("/forgets") + get("/"));

  const std::string expected = std::string(k500) + std::string(kHello);
  REQUIRE(fixture.runUntil([&] { return client.responseCount() == 2; }));
  REQUIRE(fixture.runUntil(
      [&] { return withDateMasked(client.received()).size() >= expected.size(); }));
  CHECK(withDateMasked(client.received()) == expected);
  CHECK(fixture.worker().responses().byClass[4] == 1);  // one 5xx
}

TEST_CASE("a Responder kept and later destroyed unanswered gets an automatic 500 then") {
  // The handler's kept state (here an optional the test owns) is destroyed without answering,
  // long after the handler returned: the 500 goes out at that moment, not at the deadline.
  std::optional<server::Responder> held;
  ServerFixture fixture({}, [&](server::Router& router) {
    router.on("GET", "/keeps",
              [&](const server::Request&, server::Responder r) { held.emplace(std::move(r)); });
  });
  RawClient& client = fixture.connect();
  client.send(get("/keeps"));
  REQUIRE(fixture.runUntil([&] { return held.has_value(); }));
  fixture.runFor(20ms);
  CHECK(client.receivedBytes() == 0);

  held.reset();
  REQUIRE(
      fixture.runUntil([&] { return withDateMasked(client.received()).size() >= k500.size(); }));
  CHECK(withDateMasked(client.received()) == k500);
  CHECK(fixture.inPhase(lifecycle::Phase::Idle) == 1);
}
