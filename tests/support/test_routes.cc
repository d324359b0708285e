#include "tests/support/test_routes.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <string>

namespace closewise::testing {

using server::Request;
using server::Responder;

namespace {

// The tests write plain decimals only; anything else reads as 0.
std::uint64_t numberParam(const Request& request, std::string_view key) {
  std::uint64_t value = 0;
  if (const auto text = request.queryParam(key)) {
    std::from_chars(text->data(), text->data() + text->size(), value);
  }
  return value;
}

}  // namespace

TestRoutes::TestRoutes(server::Router& router) {
  router.on("GET", "/", [](const Request&, Responder r) { r.send(200, "ok\n"); });
  router.on("*", "/echo", [](const Request& request, Responder r) { r.send(200, request.body); });
  router.on("GET", "/delay", [this](const Request& request, Responder responder) {
    answerLater(request, std::move(responder));
  });
  router.on("GET", "/bytes", [this](const Request& request, Responder responder) {
    answerSized(request, std::move(responder));
  });
  router.on("GET", "/ws/echo", [this](const Request& request, Responder responder) {
    acceptEcho(request, std::move(responder));
  });
}

void TestRoutes::acceptEcho(const Request& request, Responder responder) {
  auto accepted = server::acceptWebSocket(request, std::move(responder));
  if (!accepted) return;
  server::WebSocket& socket = sockets_.emplace_back(std::move(*accepted));
  socket.onMessage(
      [&socket](server::WsMessageType type, std::string_view data) { socket.send(type, data); });
}

void TestRoutes::close() {
  for (Delayed& later : delayed_) {
    auto* handle = reinterpret_cast<uv_handle_t*>(&later.timer);
    if (!uv_is_closing(handle)) uv_close(handle, nullptr);
  }
}

void TestRoutes::answerLater(const Request& request, Responder responder) {
  Delayed& later = delayed_.emplace_back();
  later.responder = std::move(responder);
  later.timer.data = &later;
  // On a live loop uv_timer_init only links the handle in; it returns 0.
  [[maybe_unused]] const int init = uv_timer_init(later.responder.loop(), &later.timer);
  assert(init == 0);
  const auto fire = [](uv_timer_t* timer) noexcept {
    // A cancelled exchange (reset, deadline) makes this send a no-op.
    static_cast<Delayed*>(timer->data)->responder.send(200, "delayed\n");
  };
  const int rc = uv_timer_start(&later.timer, fire, numberParam(request, "ms"), 0);
  if (rc != 0) later.responder.send(500, uv_err_name(rc));
}

void TestRoutes::answerSized(const Request& request, Responder responder) {
  Sized& answer = sized_.emplace_back();
  answer.left = numberParam(request, "n");
  answer.responder = std::move(responder);
  answer.responder.start(200, {}, answer.left);
  writeWhileWanted(answer);
}

// Writes until the body is complete or the connection holds enough, and then waits for
// onWritable: a reader that stops holds this answer up instead of filling our memory.
void TestRoutes::writeWhileWanted(Sized& answer) {
  constexpr std::uint64_t kPiece = 16 * 1024;
  for (;;) {
    if (answer.left == 0) {
      answer.responder.end();
      return;
    }
    if (!answer.responder.wantsMore()) {
      answer.responder.onWritable([&answer] { writeWhileWanted(answer); });
      return;
    }
    const std::uint64_t piece = std::min(answer.left, kPiece);
    if (!answer.responder.write(std::string(piece, 'x'))) return;  // the exchange is gone
    answer.left -= piece;
  }
}

}  // namespace closewise::testing
