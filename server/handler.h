// The handler API: what a fork of closewise edits.
//
// A handler receives the parsed request and a Responder. It may answer at once, or keep the
// Responder (it is move-only) and answer later from a timer or another asynchronous operation on
// the same loop. It may stream: start() a response, write() pieces as they are produced, end().
//
// A route registered with RouteOptions{.streamBody = true} gets its handler called as soon as the
// request head is in, with an empty request.body; the handler reads the body in pieces with
// readBody() and sets their pace with pauseBody() and resumeBody() (docs/handler-api.md,
// "Streaming a request body").
//
// The connection, not the handler, owns the socket. If the peer resets the connection, or a
// deadline ends it, before the answer is complete, the Responder is detached: its methods become
// no-ops that return false, cancelled() turns true and the onCancel() callback runs once. The
// server frees the connection regardless of what the handler still holds. A peer that merely
// half-closes (sends FIN after its request) is NOT a cancellation: RFC 9112 section 9.6 lets a
// client close its sending side while it still waits for the answer, and closewise answers it.
#pragma once

#include <uv.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lifecycle/phase.h"
#include "protocol/request.h"

namespace closewise::server {

class Connection;
class WebSocket;
struct WsAccept;

using protocol::Header;
using protocol::Request;

// The callbacks of a streamed request body. Each runs on the connection's loop; a view passed to
// onData is valid only during the call. After onEnd or onError no other of them runs.
struct BodyReader {
  // A decoded piece of the body (chunked framing removed).
  std::function<void(std::string_view piece)> onData;
  // The whole body arrived; a chunked body's trailer fields are in request.trailers.
  std::function<void()> onEnd;
  // The body will not be complete. `status` is what the connection answers in the handler's
  // place (400 bad framing, 408 too slow, 413 over --max-body-bytes, 503 a body paused past the
  // handler deadline), or 0 when there is nothing to answer (the client left, the answer had
  // begun, the server stopping). The exchange is cancelled right after: onCancel follows.
  std::function<void(int status)> onError;
};

// How an exchange ended, for whoever registered Responder::onFinished (a middleware's access
// log or metrics). The figures are the connection's own, the ones the access log and the
// request histograms (server/request_metrics.h) count: one measurement, not a second count.
struct ExchangeSummary {
  // The status of the answer, or 0 if none was started. An answer the connection gave in the
  // handler's place (503 at the handler deadline; 400, 408 or 413 for a streamed body) is this
  // exchange's answer, and its status is here.
  int status = 0;
  // Bytes of the answer, head included, as they were produced; for an answer that did not
  // complete, those produced before the end, which the client may not all have received.
  std::uint64_t bytes = 0;
  // From the handler's dispatch (or the first middleware's) to the end: the last byte of the
  // answer handed to the kernel, or the moment the exchange was given up.
  std::chrono::nanoseconds duration{0};
  // True if the whole answer was handed to the kernel; false if the exchange was cancelled (the
  // client reset or left mid-body, a deadline ended it after the answer started, the server
  // stopped) or a started answer was cut short.
  bool completed = false;
  // The reason the connection closes because of this exchange (lifecycle::closeReasonName gives
  // the name /stats uses), or None when it stays open for the next request.
  lifecycle::CloseReason closeReason = lifecycle::CloseReason::None;
};

class Next;

class Responder {
 public:
  Responder() noexcept = default;
  Responder(Responder&& other) noexcept;
  Responder& operator=(Responder&& other) noexcept;
  Responder(const Responder&) = delete;
  Responder& operator=(const Responder&) = delete;
  // A Responder dropped without an answer can never answer, so the connection answers 500 for it
  // at once; one dropped mid-response resets the connection, since a truncated body must not
  // look complete. Either is a bug in the handler, logged at warn.
  ~Responder();

  // A complete response with a Content-Length body.
  bool send(int status, std::string_view body, std::vector<Header> headers = {});

  // Streaming: the head now, the body in pieces. Without a content length the body is chunked
  // (RFC 9112 section 7.1).
  bool start(int status, std::vector<Header> headers = {},
             std::optional<std::uint64_t> contentLength = std::nullopt);
  // Queues body bytes. Returns false if the exchange is gone. Check wantsMore() before producing
  // more: a handler that ignores it can still make the connection buffer without bound.
  bool write(std::string_view data);
  // True while the bytes queued on the connection are below the high-water mark.
  bool wantsMore() const noexcept;
  // Called (once per registration) when the queued bytes fall below the low-water mark.
  void onWritable(std::function<void()> callback);
  bool end();

  // Streamed request bodies (RouteOptions::streamBody) only; false for any other route, and when
  // called twice. Starts reading the body: 100 Continue goes out now if the client waits for it,
  // and pieces already buffered may be delivered before readBody() returns when it is called
  // from outside the handler's first call. The body arrives no faster than the handler takes it:
  // pauseBody() stops delivering and, once 64 KiB are buffered, stops reading the socket (the
  // client's sends then block on TCP flow control); resumeBody() goes on, and may deliver before
  // it returns. While paused the deadline is the handler's (--handler-timeout), not the body's:
  // a body held back by its handler is not a slow client. An answer started before the body
  // ended says Connection: close, since the connection cannot take another request after a body
  // it did not read to its end.
  bool readBody(BodyReader reader);
  void pauseBody();
  void resumeBody();

  // True once the exchange can no longer be answered (peer reset, deadline, server stop).
  bool cancelled() const noexcept { return connection_ == nullptr; }
  // Runs once if the exchange is cancelled before end(). Not run for a plain half-close.
  void onCancel(std::function<void()> callback);

  // Runs once when the exchange ends, whichever way: answered, cancelled, or cut short (see
  // ExchangeSummary). Each call adds a callback, so every middleware may register its own; they
  // run in the reverse order of registration, innermost first, as deferred work unwinds, after
  // any onCancel. On a cancelled Responder it registers nothing: that exchange is already over.
  // A callback must not throw; one that does is logged and the others still run.
  void onFinished(std::function<void(const ExchangeSummary&)> callback);

  // The request's id, for logs and for requests this handler makes to other services: the
  // X-Request-Id header when the client (or a proxy in front) sent a sane one, 1 to 200 visible
  // ASCII characters; otherwise one made for this exchange, unique within the process and, with
  // a random per-process prefix, across restarts in practice. The same value for every call
  // during the exchange; empty once the exchange is gone. It is not echoed in the answer on its
  // own: whether a service exposes it (an X-Request-Id response header) is the handler's
  // decision, as with nginx's $request_id (docs/handler-api.md, "Per-request context").
  std::string requestId() const;
  // What is left of the handler deadline (--handler-timeout), zero once it has passed or the
  // exchange is gone. While a streamed request body is still arriving the handler deadline has
  // not started (it starts when the body ends), and this is the whole --handler-timeout; once the
  // answer has started the handler deadline no longer applies (the write deadline does, and it
  // moves with the client's reading), and this is zero. Resolution is the loop's clock, in
  // milliseconds.
  std::chrono::milliseconds timeLeft() const;

  uv_loop_t* loop() const noexcept { return loop_; }
  // The client's address as the socket has it, "10.0.0.5:51234" or "[2001:db8::1]:51234"; empty
  // once the exchange is gone. A proxy in front is this peer: its client is in X-Forwarded-For.
  std::string peerAddress() const;

 private:
  friend class Connection;
  friend class Next;
  // Takes the connection over for a WebSocket (server/websocket.h).
  friend std::optional<WebSocket> acceptWebSocket(const Request&, Responder&&, WsAccept);
  Responder(Connection* connection, uv_loop_t* loop) noexcept;
  void detach() noexcept;

  Connection* connection_ = nullptr;
  uv_loop_t* loop_ = nullptr;
};

// The request stays valid until the call that completes the response (send() or end()), or, if
// the exchange is cancelled first, until the onCancel callback returns; the connection parses
// nothing else meanwhile, so an asynchronous handler may keep a reference to it until then. After
// that its memory may hold another client's request (docs/handler-api.md, "Lifetime rules").
using Handler = std::function<void(const Request&, Responder)>;

}  // namespace closewise::server
