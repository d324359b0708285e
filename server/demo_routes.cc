#include "server/demo_routes.h"

#include <spdlog/spdlog.h>

#include <cassert>
#include <charconv>
#include <cstdint>
#include <string>

#include "server/websocket.h"

namespace closewise::server {

namespace {

// Error texts say what they are, like the server's own 4xx answers.
std::vector<Header> textPlain() {
  return {{"Content-Type", "text/plain; charset=utf-8"}};
}

// A query parameter as an unsigned integer in [0, max]; nullopt when absent, malformed or out of
// range (the caller answers 400).
std::optional<std::uint64_t> queryNumber(const Request& request, std::string_view key,
                                         std::uint64_t max) {
  auto text = request.queryParam(key);
  if (!text || text->empty()) return std::nullopt;
  std::uint64_t value = 0;
  const char* end = text->data() + text->size();
  auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (ec != std::errc() || ptr != end || value > max) return std::nullopt;
  return value;
}

// State of an asynchronous handler: owns a timer and the Responder, and deletes itself in the
// timer's close callback (libuv's rule: a handle's memory lives until its close callback).
template <typename Self>
struct TimerTask {
  uv_timer_t timer{};
  Responder responder;

  explicit TimerTask(Responder r) : responder(std::move(r)) {
    // uv_timer_init only links the handle into the loop and always returns 0; the task's
    // finish() closes the handle, so it must be initialized whatever happens next.
    [[maybe_unused]] const int rc = uv_timer_init(responder.loop(), &timer);
    assert(rc == 0);
    timer.data = this;
    // If the peer resets or a deadline ends the exchange, stop at once and free everything.
    responder.onCancel([this] { finish(); });
  }
  void finish() {
    if (uv_is_closing(reinterpret_cast<uv_handle_t*>(&timer))) return;
    uv_close(reinterpret_cast<uv_handle_t*>(&timer),
             [](uv_handle_t* handle) noexcept { delete static_cast<Self*>(handle->data); });
  }
};

struct DelayTask : TimerTask<DelayTask> {
  using TimerTask::TimerTask;
  void start(std::uint64_t ms) {
    const int rc = uv_timer_start(&timer, &DelayTask::onTimer, ms, 0);
    if (rc != 0) {
      spdlog::error("/delay: uv_timer_start: {}", uv_err_name(rc));
      responder.send(500, "the delay could not start\n", textPlain());
      finish();
    }
  }
  static void onTimer(uv_timer_t* t) noexcept {
    auto* self = static_cast<DelayTask*>(t->data);
    self->responder.send(200, "delayed\n", {{"Content-Type", "text/plain"}});
    self->finish();
  }
};

// /stream: C chunks, M ms apart, or with M = 0 one after another. Either way a chunk is written
// only while the connection wants more (Responder::wantsMore): when the client reads slower than
// we write, the timer stops and onWritable starts it again, so a client that stops reading costs
// the connection's high-water mark, not the whole answer.
struct StreamTask : TimerTask<StreamTask> {
  using TimerTask::TimerTask;
  std::uint64_t left = 0;
  std::uint64_t sent = 0;
  std::uint64_t interval = 0;
  void start(std::uint64_t chunks, std::uint64_t ms) {
    left = chunks;
    interval = ms;
    // The head goes out now (start() sends it), so the client sees the answer begin at once.
    if (!responder.start(200, {{"Content-Type", "text/plain"}})) {
      finish();  // the exchange is gone (finish() may already have run from onCancel)
      return;
    }
    if (left == 0) {
      responder.end();
      finish();
      return;
    }
    resume();
  }
  // With an interval the timer paces the chunks; without one they are written at once, as many
  // as the connection takes.
  void resume() {
    if (interval == 0) {
      produce();
      return;
    }
    // Fails only on a closing handle, and the timer is closed only by finish(), after which
    // nothing calls resume().
    [[maybe_unused]] const int rc = uv_timer_start(&timer, &StreamTask::onTick, interval, interval);
    assert(rc == 0);
  }
  static void onTick(uv_timer_t* t) noexcept { static_cast<StreamTask*>(t->data)->produce(); }
  void produce() {
    do {
      if (!responder.write("chunk " + std::to_string(sent++) + "\n")) {
        finish();  // the exchange is gone
        return;
      }
      if (--left == 0) {
        // The last chunk and the end of the body together: no extra interval of silence.
        responder.end();
        finish();
        return;
      }
    } while (interval == 0 && responder.wantsMore());
    if (!responder.wantsMore()) {
      // The client is behind: produce nothing more until the queue drains below the low-water
      // mark.
      uv_timer_stop(&timer);
      responder.onWritable([this] { resume(); });
    }
  }
};

// /bytes: N bytes with a Content-Length, produced only as fast as the socket takes them, so a
// 50 MB answer to a client that stops reading costs at most the connection's high-water mark.
struct BytesTask {
  Responder responder;
  std::uint64_t left;
  bool running = false;

  BytesTask(Responder r, std::uint64_t n) : responder(std::move(r)), left(n) {}
  static void start(BytesTask* self) {
    // A cancel that arrives while run() is on the stack (a write found the peer gone) is handled
    // by run() itself once it unwinds; one that arrives later frees the task here.
    self->responder.onCancel([self] {
      if (!self->running) delete self;
    });
    run(self);
  }
  static void run(BytesTask* self) {
    static const std::string kPiece(16 * 1024, 'x');
    self->running = true;
    while (self->left > 0 && self->responder.wantsMore()) {
      const std::size_t n =
          static_cast<std::size_t>(std::min<std::uint64_t>(self->left, kPiece.size()));
      if (!self->responder.write(std::string_view(kPiece).substr(0, n))) break;
      self->left -= n;
    }
    self->running = false;
    if (self->responder.cancelled()) {
      delete self;
    } else if (self->left == 0) {
      self->responder.end();
      delete self;
    } else {
      self->responder.onWritable([self] { run(self); });
    }
  }
};

}  // namespace

// /ws/echo: each message back with its type. The session owns its WebSocket handle and is freed
// in onClose, which runs once however the WebSocket ends (close handshake, protocol error, the
// peer gone, server stop). Any Origin is welcome, `null` (a page opened from a file) included,
// and no subprotocol is chosen.
struct WsEchoSession {
  WebSocket socket;

  static void accept(const Request& request, Responder responder) {
    auto accepted = acceptWebSocket(request, std::move(responder));
    if (!accepted) return;
    auto* session = new WsEchoSession{std::move(*accepted)};
    session->socket.onMessage([session](WsMessageType type, std::string_view data) {
      // Beyond the connection's bound on queued bytes (a peer that sends and does not read)
      // the echo is dropped rather than buffered.
      session->socket.send(type, data);
    });
    session->socket.onClose([session](std::uint16_t, std::string_view) { delete session; });
  }
};

void registerDemoRoutes(Router& router) {
  router.on("GET", "/", [](const Request&, Responder responder) {
    responder.send(200, "hello from closewise\n", {{"Content-Type", "text/plain"}});
  });

  router.on("*", "/echo", [](const Request& request, Responder responder) {
    const std::string* type = request.header("Content-Type");
    responder.send(200, request.body,
                   {{"Content-Type", type != nullptr ? *type : "application/octet-stream"}});
  });

  router.on("GET", "/ws/echo", &WsEchoSession::accept);

  router.on("GET", "/delay", [](const Request& request, Responder responder) {
    auto ms = queryNumber(request, "ms", 10 * 60 * 1000);
    if (!ms) {
      responder.send(400, "ms must be an integer from 0 to 600000\n", textPlain());
      return;
    }
    (new DelayTask(std::move(responder)))->start(*ms);
  });

  router.on("GET", "/bytes", [](const Request& request, Responder responder) {
    // 1 GiB is far more than any slow-reader test needs, and bounds what one tiny request can
    // make the server produce.
    auto n = queryNumber(request, "n", std::uint64_t{1} << 30);
    if (!n) {
      responder.send(400, "n must be an integer from 0 to 1073741824\n", textPlain());
      return;
    }
    responder.start(200, {{"Content-Type", "application/octet-stream"}}, *n);
    BytesTask::start(new BytesTask(std::move(responder), *n));
  });

  router.on("GET", "/stream", [](const Request& request, Responder responder) {
    auto chunks = queryNumber(request, "chunks", 1'000'000);
    auto ms = queryNumber(request, "ms", 60'000);
    if (!chunks || !ms) {
      responder.send(400, "chunks must be 0..1000000 and ms 0..60000\n", textPlain());
      return;
    }
    (new StreamTask(std::move(responder)))->start(*chunks, *ms);
  });
}

}  // namespace closewise::server
