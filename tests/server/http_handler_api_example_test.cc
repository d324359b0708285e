// The worked example of docs/handler-api.md, compiled and exercised, so the documentation cannot
// drift from the API. Everything between the BEGIN and END markers is quoted in the doc verbatim.
#include <catch2/catch.hpp>
#include <charconv>
#include <optional>
#include <string>

#include "tests/support/fixture.h"

// BEGIN handler-api example
#include <uv.h>

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "server/router.h"

namespace example {

using closewise::server::Request;
using closewise::server::Responder;
using closewise::server::Router;

// 1. An immediate answer. send() writes the whole response (head and body, with its
// Content-Length) and completes the exchange; the handler returns with nothing left to do.
void hello(const Request& request, Responder responder) {
  const std::string* agent = request.header("User-Agent");
  responder.send(200, "hello, " + (agent != nullptr ? *agent : std::string("stranger")) + "\n",
                 {{"Content-Type", "text/plain"}});
}

// 2. An answer after a timer. The task owns its timer and the Responder, and is freed in the
// timer's close callback (libuv frees nothing of ours, and a handle's memory must outlive
// uv_close until that callback has run), both when it answered and when it was cancelled.
class SlowAnswer {
 public:
  static void start(const Request& request, Responder responder) {
    new SlowAnswer(request, std::move(responder));  // owns itself until close() completes
  }

 private:
  SlowAnswer(const Request& request, Responder responder)
      : request_(request), responder_(std::move(responder)) {
    uv_timer_init(responder_.loop(), &timer_);
    timer_.data = this;
    // Peer reset, a deadline, or the server stopping: nobody will read the answer, so stop the
    // work now. Not called for a client that only half-closed: that one still gets the answer.
    responder_.onCancel([this] { close(); });
    uv_timer_start(&timer_, &SlowAnswer::onTimer, 100, 0);
  }

  static void onTimer(uv_timer_t* timer) noexcept {
    auto* self = static_cast<SlowAnswer*>(timer->data);
    // The request is still valid: the connection parses nothing else while this exchange is
    // open, so a reference taken by the handler lives until the answer is complete.
    self->responder_.send(200, "slow answer to " + self->request_.target + "\n");
    self->close();
  }

  void close() {
    auto* handle = reinterpret_cast<uv_handle_t*>(&timer_);
    if (uv_is_closing(handle)) return;
    uv_close(handle, [](uv_handle_t* h) { delete static_cast<SlowAnswer*>(h->data); });
  }

  uv_timer_t timer_{};
  const Request& request_;
  Responder responder_;
};

// 3. A streamed answer of unknown length: start() without a length makes the body chunked for
// HTTP/1.1 clients (close-delimited for HTTP/1.0 ones). The producer writes only while
// wantsMore() holds and resumes from onWritable(), so a client that reads slowly costs the
// server at most the connection's high-water mark, however long the answer is.
class CountStream {
 public:
  static void start(const Request& request, Responder responder) {
    const std::optional<std::uint64_t> last = toNumber(request.queryParam("to"));
    if (!last) {
      responder.send(400, "to must be a decimal number\n");
      return;
    }
    auto* self = new CountStream(std::move(responder), *last);
    self->responder_.start(200, {{"Content-Type", "text/plain"}});
    self->run();
  }

 private:
  static std::optional<std::uint64_t> toNumber(std::optional<std::string_view> text) {
    std::uint64_t value = 0;
    if (!text || text->empty()) return std::nullopt;
    const char* end = text->data() + text->size();
    const auto [ptr, ec] = std::from_chars(text->data(), end, value);
    if (ec != std::errc() || ptr != end) return std::nullopt;
    return value;
  }

  CountStream(Responder responder, std::uint64_t last)
      : responder_(std::move(responder)), last_(last) {
    // A cancel can arrive while run() is on the stack (a write finds the peer gone); run() frees
    // the task itself then. One that arrives while the task waits for onWritable frees it here.
    responder_.onCancel([this] {
      if (!running_) delete this;
    });
  }

  void run() {
    running_ = true;
    std::string piece;
    while (next_ <= last_ && responder_.wantsMore()) {
      piece.clear();
      while (next_ <= last_ && piece.size() < 4096) piece += std::to_string(next_++) + "\n";
      if (!responder_.write(piece)) break;  // one chunk per write
    }
    running_ = false;
    if (responder_.cancelled()) {
      delete this;
    } else if (next_ > last_) {
      responder_.end();  // the last chunk; the exchange is complete
      delete this;
    } else {
      responder_.onWritable([this] { run(); });  // called once, below the low-water mark
    }
  }

  Responder responder_;
  std::uint64_t next_ = 1;
  std::uint64_t last_;
  bool running_ = false;
};

void registerExampleRoutes(Router& router) {
  router.on("GET", "/hello", &hello);
  router.on("GET", "/slow", &SlowAnswer::start);
  router.on("GET", "/count", &CountStream::start);
}

}  // namespace example
// END handler-api example

using namespace closewise;
using namespace closewise::testing;

namespace {

// Decodes a chunked body that starts at the beginning of `wire`; nullopt if incomplete.
std::optional<std::string> dechunk(std::string_view wire) {
  std::string body;
  for (;;) {
    const auto line = wire.find("\r\n");
    if (line == std::string_view::npos) return std::nullopt;
    std::size_t size = 0;
    std::from_chars(wire.data(), wire.data() + line, size, 16);
    wire.remove_prefix(line + 2);
    if (wire.size() < size + 2) return std::nullopt;
    body += wire.substr(0, size);
    wire.remove_prefix(size + 2);
    if (size == 0) return body;
  }
}

}  // namespace

TEST_CASE("example: /hello answers at once") {
  ServerFixture fixture({}, example::registerExampleRoutes);
  RawClient& client = fixture.connect();
  client.send(get("/hello", "User-Agent: test-agent\r\n"));
  const std::string expected =
      "HTTP/1.1 200 OK\r\nDate: *\r\nServer: closewise\r\nContent-Length: 18\r\n"
      "Content-Type: text/plain\r\n\r\nhello, test-agent\n";
  REQUIRE(fixture.runUntil(
      [&] { return withDateMasked(client.received()).size() >= expected.size(); }));
  CHECK(withDateMasked(client.received()) == expected);
}

TEST_CASE("example: /slow answers after its timer, with the request still valid") {
  ServerFixture fixture({}, example::registerExampleRoutes);
  RawClient& client = fixture.connect();
  REQUIRE(fixture.runUntil([&] { return client.connected(); }));
  uv_update_time(fixture.loop());
  const std::uint64_t sentAt = uv_now(fixture.loop());
  client.send(get("/slow?q=1"));
  const std::string expected =
      "HTTP/1.1 200 OK\r\nDate: *\r\nServer: closewise\r\nContent-Length: 25\r\n\r\n"
      "slow answer to /slow?q=1\n";
  REQUIRE(fixture.runUntil(
      [&] { return withDateMasked(client.received()).size() >= expected.size(); }));
  uv_update_time(fixture.loop());
  CHECK(uv_now(fixture.loop()) - sentAt >= 100);
  CHECK(withDateMasked(client.received()) == expected);
}

TEST_CASE("example: /slow cancelled by a reset frees its task and the connection") {
  // LeakSanitizer fails the run at exit if the task were not freed on cancel.
  ServerFixture fixture({}, example::registerExampleRoutes);
  RawClient& client = fixture.connect();
  client.send(get("/slow"));
  REQUIRE(fixture.runUntil([&] { return fixture.inPhase(lifecycle::Phase::Processing) == 1; }));
  client.reset();
  REQUIRE(fixture.runUntil([&] { return fixture.tally().open == 0; }));
  CHECK(fixture.closedBy(lifecycle::CloseReason::PeerReset) == 1);
  fixture.runFor(150ms);  // past the 100 ms timer: had it survived, it would fire now
  CHECK(fixture.worker().responses().byClass[1] == 0);
}

TEST_CASE("example: /count streams under back-pressure and ends with the last chunk") {
  ServerFixture fixture({}, example::registerExampleRoutes);
  RawClient& client = fixture.connect();
  REQUIRE(fixture.runUntil([&] { return client.connected(); }));
  // The client reads nothing at first, so the stream meets the high-water mark and must wait
  // for onWritable: 2,000,000 lines are about 15 MB, more than the two sockets' buffers hold.
  client.pauseReading();
  constexpr std::uint64_t kLast = 2'000'000;
  client.send(get("/count?to=" + std::to_string(kLast)));
  REQUIRE(fixture.runUntil([&] { return fixture.inPhase(lifecycle::Phase::Writing) == 1; }));
  fixture.runFor(100ms);
  // Still writing, and the handler is parked: nothing more is produced while nobody reads.
  CHECK(fixture.inPhase(lifecycle::Phase::Writing) == 1);
  client.resumeReading();
  REQUIRE(fixture.runUntil([&] { return client.received().ends_with("\r\n0\r\n\r\n"); }, 25s));

  const std::string head =
      "HTTP/1.1 200 OK\r\nDate: *\r\nServer: closewise\r\nTransfer-Encoding: chunked\r\n"
      "Content-Type: text/plain\r\n\r\n";
  const std::string masked = withDateMasked(client.received());
  REQUIRE(masked.rfind(head, 0) == 0);
  const auto body = dechunk(std::string_view(masked).substr(head.size()));
  REQUIRE(body);
  std::string expected;
  for (std::uint64_t i = 1; i <= kLast; ++i) expected += std::to_string(i) + "\n";
  CHECK(*body == expected);
  REQUIRE(fixture.runUntil([&] { return fixture.inPhase(lifecycle::Phase::Idle) == 1; }));
}
