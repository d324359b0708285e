// The streamed-body example of docs/handler-api.md ("Streaming a request body"), compiled and
// exercised. Everything between the BEGIN and END markers is quoted in the doc verbatim.
#include <catch2/catch.hpp>
#include <string>

#include "tests/support/fixture.h"

// BEGIN streamed-body example
#include <uv.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "server/router.h"

namespace example {

using closewise::server::Request;
using closewise::server::Responder;
using closewise::server::RouteOptions;
using closewise::server::Router;

// POST /upload: takes the body piece by piece and hands each to a slow sink (a timer stands in
// for a disk or a socket), pausing the body until the sink is done with it. However large the
// upload, the task holds one piece; the rest waits in the kernel, and TCP slows the client down.
// It owns itself and is freed in its timer's close callback, after answering or when cancelled.
class Upload {
 public:
  static void start(const Request&, Responder responder) {
    auto* self = new Upload(std::move(responder));
    // The client left, or its body failed (onError ran first, with the status the connection
    // answered in our place): stop the work and free the task.
    self->responder_.onCancel([self] { self->close(); });
    self->responder_.readBody({.onData = [self](std::string_view piece) { self->onData(piece); },
                               .onEnd = [self] { self->onEnd(); },
                               .onError = [](int) {}});
  }

 private:
  explicit Upload(Responder responder) : responder_(std::move(responder)) {
    uv_timer_init(responder_.loop(), &timer_);
    timer_.data = this;
  }

  void onData(std::string_view piece) {
    bytes_ += piece.size();  // the view is valid only during this call: copy what you keep
    responder_.pauseBody();  // no more pieces, and soon no more reading, until the sink is done
    uv_timer_start(&timer_, &Upload::onSinkDone, 1, 0);
  }

  static void onSinkDone(uv_timer_t* timer) noexcept {
    // May deliver the next piece, or the end, before it returns.
    static_cast<Upload*>(timer->data)->responder_.resumeBody();
  }

  void onEnd() {
    responder_.send(200, std::to_string(bytes_) + " bytes\n");
    close();
  }

  void close() {
    uv_close(reinterpret_cast<uv_handle_t*>(&timer_),
             [](uv_handle_t* handle) { delete static_cast<Upload*>(handle->data); });
  }

  Responder responder_;
  uv_timer_t timer_{};
  std::uint64_t bytes_ = 0;
};

void registerUpload(Router& router) {
  // streamBody: the handler runs as soon as the head is in, with an empty request.body.
  router.on("POST", "/upload", &Upload::start, RouteOptions{.streamBody = true});
}

}  // namespace example
// END streamed-body example

using namespace closewise;
using namespace closewise::testing;

TEST_CASE("the streamed-body example counts an upload taken at the sink's pace") {
  ServerFixture fixture({}, [](server::Router& router) { example::registerUpload(router); });
  RawClient& client = fixture.connect();
  const std::size_t size = 512 * 1024;
  client.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(size) +
              "\r\n\r\n" + std::string(size, 'x'));
  REQUIRE(fixture.runUntil([&] { return client.responseCount() == 1; }, 20s));
  CHECK(client.received().ends_with("\r\n\r\n" + std::to_string(size) + " bytes\n"));
  // Kept alive for the next request, chunked this time.
  client.send(
      "POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
  REQUIRE(fixture.runUntil([&] { return client.responseCount() == 2; }));
  CHECK(client.received().ends_with("\r\n\r\n5 bytes\n"));
}

TEST_CASE("the streamed-body example frees its task when the client leaves mid-upload") {
  ServerFixture fixture({}, [](server::Router& router) { example::registerUpload(router); });
  RawClient& client = fixture.connect();
  client.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\n" +
              std::string(10000, 'x'));
  fixture.runFor(30ms);
  client.reset();
  REQUIRE(fixture.runUntil([&] { return fixture.tally().open == 0; }));
  CHECK(fixture.closedBy(lifecycle::CloseReason::PeerReset) == 1);
  // The fixture's teardown requires every handle closed (the task's timer included), and the
  // sanitizer build reports the task if it leaked.
}
