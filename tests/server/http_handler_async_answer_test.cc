// The handler API's asynchronous answer: a handler may return at once and keep its Responder
// (it is move-only) in state it owns, and answer later from a timer on the same loop. The request
// it was given stays valid until the answer is complete, because the connection parses nothing
// else while the exchange is open: even with a second request pipelined behind it.
#include <catch2/catch.hpp>
#include <string>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

namespace {

// The state of one asynchronous answer. It owns its timer and its Responder and deletes itself
// in the timer's close callback, the only moment libuv allows (a handle's memory must outlive
// uv_close until the callback has run).
struct LaterAnswer {
  uv_timer_t timer{};
  const server::Request& request;
  server::Responder responder;

  LaterAnswer(const server::Request& r, server::Responder resp)
      : request(r), responder(std::move(resp)) {
    uv_timer_init(responder.loop(), &timer);
    timer.data = this;
    responder.onCancel([this] { close(); });
    uv_timer_start(&timer, &LaterAnswer::onTimer, 30, 0);
  }
  static void onTimer(uv_timer_t* timer) noexcept {
    auto* self = static_cast<LaterAnswer*>(timer->data);
    // Read the request only now, 30 ms after the handler returned.
    self->responder.send(200, "later: " + self->request.target + "\n");
    self->close();
  }
  void close() {
    auto* handle = reinterpret_cast<uv_handle_t*>(&timer);
    if (uv_is_closing(handle)) return;
    uv_close(handle, [](uv_handle_t* h) { delete static_cast<LaterAnswer*>(h->data); });
  }
};

std::string laterAnswer(std::string_view target) {
  const std::string body = "later: " + std::string(target) + "\n";
  return "HTTP/1.1 200 OK\r\nDate: *\r\nServer: closewise\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

}  // namespace

TEST_CASE("a handler that keeps its Responder answers from a timer, with its request intact") {
  ServerFixture fixture({}, [](server::Router& router) {
    router.on("GET", "/later", [](const server::Request& request, server::Responder responder) {
      new LaterAnswer(request, std::move(responder));
    });
  });
  RawClient& client = fixture.connect();
  client.send(get("/later?id=1") + get("/later?id=two"));

  // The handler has returned; the exchange waits in processing with nothing on the wire.
  REQUIRE(fixture.runUntil([&] { return fixture.inPhase(lifecycle::Phase::Processing) == 1; }));
  CHECK(client.receivedBytes() == 0);

  const std::string expected = laterAnswer("/later?id=1") + laterAnswer("/later?id=two");
  REQUIRE(fixture.runUntil([&] { return client.responseCount() == 2; }));
  REQUIRE(fixture.runUntil(
      [&] { return withDateMasked(client.received()).size() >= expected.size(); }));
  CHECK(withDateMasked(client.received()) == expected);
  CHECK(fixture.inPhase(lifecycle::Phase::Idle) == 1);
  CHECK(fixture.tally().requests == 2);
}
