#include "upstream/connection.h"

#include <spdlog/spdlog.h>
#include <strings.h>

#include <cassert>
#include <utility>

#include "protocol/response_writer.h"
#include "upstream/exchange.h"
#include "upstream/pool.h"
#include "upstream/retry_policy.h"

namespace closewise::upstream {

using lifecycle::CloseReason;
using lifecycle::Phase;

namespace {

bool sameName(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// The fields this client frames itself: it sends a Content-Length of its own, keeps connections
// alive by default (RFC 9112 section 9.3), and never speaks Upgrade.
bool framedByUs(std::string_view name) noexcept {
  return sameName(name, "Content-Length") || sameName(name, "Transfer-Encoding") ||
         sameName(name, "Connection");
}

// RFC 9110 section 8.6: a user agent should send Content-Length for a request that has no body
// when the method gives a body a meaning, so the upstream does not wait for one.
bool sendsLength(const Request& request) noexcept {
  return !request.body.empty() || request.method == "POST" || request.method == "PUT" ||
         request.method == "PATCH";
}

// How the body is framed (RFC 9112 section 6): a whole body or a streamed one of known length by
// its Content-Length, a streamed one of unknown length chunked (section 7.1).
std::string bodyFraming(const Request& request) {
  if (!request.streamed) {
    return sendsLength(request) ? "Content-Length: " + std::to_string(request.body.size()) + "\r\n"
                                : std::string();
  }
  if (request.streamedLength) {
    return "Content-Length: " + std::to_string(*request.streamedLength) + "\r\n";
  }
  return "Transfer-Encoding: chunked\r\n";
}

std::string requestHead(const Request& request, const std::string& authority) {
  std::string head = request.method + " " + request.target + " HTTP/1.1\r\n";
  bool hasHost = false;
  for (const auto& h : request.headers) hasHost = hasHost || sameName(h.name, "Host");
  if (!hasHost) head += "Host: " + authority + "\r\n";
  for (const auto& h : request.headers) {
    if (framedByUs(h.name)) continue;
    head += h.name + ": " + h.value + "\r\n";
  }
  head += bodyFraming(request);
  head += "\r\n";
  return head;
}

}  // namespace

Connection::Connection(Pool& pool, std::uint64_t id, const sockaddr_storage& remote)
    : pool_(pool),
      id_(id),
      state_(pool.tally(), pool.settings().timeouts, pool.now()),
      parser_(pool.settings().responseLimits),
      remote_(remote) {
  tcp_.data = this;
  connectReq_.data = this;
  writeReq_.data = this;
}

Connection::~Connection() {
  assert(state_.phase() == Phase::Closed);
}

lifecycle::TimePoint Connection::now() const noexcept {
  return pool_.now();
}

int Connection::connect(Exchange& exchange) {
  exchange_ = &exchange;
  exchange.connection = this;
  pool_.noteDeadline(state_.deadline());
  int rc = uv_tcp_init(pool_.loop(), &tcp_);
  if (rc < 0) return rc;
  uv_tcp_nodelay(&tcp_, 1);
  return uv_tcp_connect(&connectReq_, &tcp_, reinterpret_cast<const sockaddr*>(&remote_),
                        &Connection::onConnectThunk);
}

void Connection::reuse(Exchange& exchange) {
  exchange_ = &exchange;
  exchange.connection = this;
  state_.requestStarted(now());
  if (exchange.paused) pause();  // the consumer paused while the request was queued
  send();
}

void Connection::onConnectThunk(uv_connect_t* req, int status) noexcept {
  static_cast<Connection*>(req->data)->onConnect(status);
}

void Connection::onConnect(int status) {
  if (closing_) return;  // cancelled or timed out while connecting: already accounted for
  if (status < 0) {
    pool_.onConnectFailed(*this, status);
    return;
  }
  int len = sizeof local_;
  uv_tcp_getsockname(&tcp_, reinterpret_cast<sockaddr*>(&local_), &len);
  // Read from now on, in every phase: an upstream's FIN is only seen by a reading socket.
  const int rc = uv_read_start(reinterpret_cast<uv_stream_t*>(&tcp_), &Connection::onAllocThunk,
                               &Connection::onReadThunk);
  if (rc < 0) {
    fail(ErrorKind::IoError, CloseReason::IoError, uv_err_name(rc), false);
    return;
  }
  pool_.onConnected(*this);
  state_.connected(now());
  if (exchange_->paused) pause();  // the consumer paused while the connection was being made
  send();
}

void Connection::send() {
  Exchange& exchange = *exchange_;
  parser_.expect(exchange.request.method);
  out_ = requestHead(exchange.request, pool_.origin().authority);
  pool_.noteDeadline(state_.deadline());
  if (exchange.request.streamed) {
    // The head leaves with whatever of the body the caller has queued; the rest follows as it
    // writes (sendBody).
    bodyOpen_ = true;
    const bool carriesBody = takeBody(out_);
    uv_buf_t buf = uv_buf_init(out_.data(), static_cast<unsigned>(out_.size()));
    if (startWrite(&buf, 1)) exchange.bodySent = carriesBody;
    return;
  }
  uv_buf_t bufs[2] = {uv_buf_init(out_.data(), static_cast<unsigned>(out_.size())),
                      uv_buf_init(exchange.request.body.data(),
                                  static_cast<unsigned>(exchange.request.body.size()))};
  const unsigned count = exchange.request.body.empty() ? 1 : 2;
  if (startWrite(bufs, count)) exchange.bodySent = count == 2;
}

bool Connection::startWrite(const uv_buf_t* bufs, unsigned count) {
  const int rc = uv_write(&writeReq_, reinterpret_cast<uv_stream_t*>(&tcp_), bufs, count,
                          &Connection::onWriteThunk);
  if (rc < 0) {
    fail(ErrorKind::IoError, CloseReason::IoError, uv_err_name(rc), rc == UV_EPIPE);
    return false;
  }
  writing_ = true;
  return true;
}

bool Connection::takeBody(std::string& out) {
  Exchange& exchange = *exchange_;
  const bool chunked = !exchange.request.streamedLength;
  const bool any = !exchange.bodyQueue.empty();
  if (any) {
    if (chunked) {
      protocol::appendChunk(out, exchange.bodyQueue);
    } else {
      out += exchange.bodyQueue;
    }
    exchange.bodyQueue.clear();
  }
  if (exchange.bodyEnded && !finalWrite_) {
    if (chunked) protocol::appendLastChunk(out);
    finalWrite_ = true;
  }
  return any;
}

void Connection::sendBody() {
  if (!bodyOpen_ || writing_ || closing_ || exchange_ == nullptr) return;
  out_.clear();
  const bool carriesBody = takeBody(out_);
  if (out_.empty()) {
    // Nothing queued: the caller sets the pace. A body of known length that ended with its last
    // write already sent is complete now.
    if (finalWrite_) bodyFinished();
    return;
  }
  uv_buf_t buf = uv_buf_init(out_.data(), static_cast<unsigned>(out_.size()));
  if (!startWrite(&buf, 1)) return;
  if (carriesBody) exchange_->bodySent = true;
  // Every piece the caller hands us re-arms the stall deadline: a body that moves is not stalled.
  state_.sendProgress(now());
  pool_.noteDeadline(state_.deadline());
}

void Connection::bodyFinished() {
  bodyOpen_ = false;
  exchange_->bodyDone = true;
  // An early answer may have moved the state on already; then there is nothing to await.
  if (state_.requestSent(now())) pool_.noteDeadline(state_.deadline());
}

void Connection::onWriteThunk(uv_write_t* req, int status) noexcept {
  static_cast<Connection*>(req->data)->onWrite(status);
}

void Connection::onWrite(int status) {
  writing_ = false;
  if (closing_) return;
  if (status < 0) {
    const bool reset = status == UV_ECONNRESET || status == UV_EPIPE;
    fail(reset ? ErrorKind::UpstreamReset : ErrorKind::IoError,
         reset ? CloseReason::UpstreamReset : CloseReason::IoError, uv_err_name(status), reset);
    return;
  }
  if (exchange_ == nullptr) return;
  if (bodyOpen_) {
    if (finalWrite_) {
      bodyFinished();
      return;
    }
    state_.sendProgress(now());
    pool_.noteDeadline(state_.deadline());
    sendBody();  // what the caller queued while this write was in flight
    if (exchange_ == nullptr || !exchange_->onWritable ||
        exchange_->bodyQueue.size() >= kBodyLowWater) {
      return;
    }
    auto callback = std::move(exchange_->onWritable);
    exchange_->onWritable = nullptr;
    callback();
    return;
  }
  // An early answer may have moved the state on already; then there is nothing to await.
  if (state_.requestSent(now())) pool_.noteDeadline(state_.deadline());
}

void Connection::onAllocThunk(uv_handle_t* handle, std::size_t, uv_buf_t* buf) noexcept {
  auto* self = static_cast<Connection*>(handle->data);
  *buf = uv_buf_init(self->buffer_, sizeof self->buffer_);
}

void Connection::onReadThunk(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) noexcept {
  static_cast<Connection*>(stream->data)->onRead(nread, buf);
}

void Connection::onRead(ssize_t nread, const uv_buf_t* buf) {
  if (closing_ || nread == 0) return;
  if (nread > 0) {
    if (exchange_ == nullptr) {
      // Bytes on an idle connection answer no request of ours: whatever they are (a 408 before
      // the upstream closes, garbage), the connection can no longer be trusted to frame the next
      // response (RFC 9112 section 9.3.2).
      close(CloseReason::NotReusable);
      return;
    }
    feed(buf->base, static_cast<std::size_t>(nread));
    return;
  }
  if (nread == UV_EOF) {
    if (exchange_ == nullptr) {
      // The upstream closed a pooled connection: close ours now, or it sits in CLOSE_WAIT.
      close(CloseReason::UpstreamClosed);
      return;
    }
    if (parser_.finish() == protocol::ResponseStatus::MessageComplete) {
      finishExchange(false);  // a close-delimited body ends here (RFC 9112 section 6.3)
      return;
    }
    fail(ErrorKind::UpstreamClosed, CloseReason::UpstreamClosed, "eof", true);
    return;
  }
  const bool reset = nread == UV_ECONNRESET;
  if (exchange_ == nullptr) {
    close(reset ? CloseReason::UpstreamReset : CloseReason::IoError);
    return;
  }
  fail(reset ? ErrorKind::UpstreamReset : ErrorKind::IoError,
       reset ? CloseReason::UpstreamReset : CloseReason::IoError,
       uv_err_name(static_cast<int>(nread)), reset);
}

void Connection::feed(const char* data, std::size_t len) {
  using protocol::ResponseStatus;
  for (;;) {
    const protocol::ResponseResult r = parser_.feed(data, len);
    data += r.consumed;
    len -= r.consumed;
    switch (r.status) {
      case ResponseStatus::NeedMore:
        return;
      case ResponseStatus::Interim:
        continue;  // a 1xx is not the answer (RFC 9110 section 15.2)
      case ResponseStatus::HeadComplete:
        state_.headReceived(now());
        pool_.noteDeadline(state_.deadline());
        if (exchange_->callbacks.onHead) exchange_->callbacks.onHead(parser_.response());
        if (exchange_ == nullptr) return;  // cancelled in the callback
        continue;
      case ResponseStatus::Body:
        state_.bodyProgress(now());
        if (exchange_->callbacks.onBody) exchange_->callbacks.onBody(parser_.body());
        if (exchange_ == nullptr) return;
        if (paused_) {
          // Kept, even when empty: the parser must be fed again before it reports what follows
          // (the end of the message included), so resume() feeds whatever is kept.
          pending_.assign(data, len);
          unfed_ = true;
          return;
        }
        continue;
      case ResponseStatus::MessageComplete:
        finishExchange(len > 0);
        return;
      case ResponseStatus::Error:
        fail(ErrorKind::ProtocolError, CloseReason::ProtocolError, std::string(parser_.error()),
             false);
        return;
    }
  }
}

void Connection::finishExchange(bool bytesAfterResponse) {
  Exchange* exchange = detach();
  // The one decision after a response: back to the pool only when the response was read to its
  // end, it lets the connection carry another request, nothing else arrived, and the pool still
  // keeps connections. Otherwise close, with the first reason that holds.
  CloseReason reason = CloseReason::None;
  if (!parser_.keepAlive()) {
    reason = CloseReason::UpstreamRequested;  // Connection: close, HTTP/1.0, close-delimited
  } else if (bytesAfterResponse || writing_ || bodyOpen_) {
    reason = CloseReason::NotReusable;  // bytes nobody asked for, or a request still being sent
  } else if (pool_.draining()) {
    reason = CloseReason::Drain;
  }
  if (reason == CloseReason::None && state_.responseComplete(now())) {
    pool_.onReusable(*this);
  } else {
    close(reason == CloseReason::None ? CloseReason::NotReusable : reason);
  }
  pool_.onResponseEnd(*exchange);
}

void Connection::fail(ErrorKind kind, CloseReason reason, std::string detail, bool raceCandidate) {
  Exchange* exchange = exchange_;
  const RetryFacts facts{state_.reused(),
                         parser_.anyByteReceived(),
                         exchange != nullptr && isIdempotent(exchange->request.method),
                         exchange != nullptr && exchange->bodySent,
                         exchange != nullptr && !exchange->request.streamed,
                         !raceCandidate || (exchange != nullptr && exchange->retried)};
  close(reason);
  if (exchange != nullptr) pool_.onExchangeFailed(*exchange, Error{kind, std::move(detail)}, facts);
}

void Connection::onDeadline() {
  const CloseReason reason = state_.deadlineReason();
  switch (reason) {
    case CloseReason::ConnectTimeout:
      fail(ErrorKind::ConnectTimeout, reason, "connect timeout", false);
      return;
    case CloseReason::WriteTimeout:
      fail(ErrorKind::SendTimeout, reason, "send stalled", false);
      return;
    case CloseReason::ResponseTimeout:
      fail(ErrorKind::ResponseTimeout, reason, "no response head", false);
      return;
    case CloseReason::BodyTimeout:
      fail(ErrorKind::BodyTimeout, reason, "response body stalled", false);
      return;
    default:
      // IdleTimeout: we close first, so TIME_WAIT lands on our side (see pool.h's readers' note).
      close(reason);
      return;
  }
}

Exchange* Connection::detach() noexcept {
  Exchange* exchange = exchange_;
  if (exchange != nullptr) exchange->connection = nullptr;
  exchange_ = nullptr;
  paused_ = false;
  unfed_ = false;
  bodyOpen_ = false;
  finalWrite_ = false;
  pending_.clear();
  return exchange;
}

void Connection::close(CloseReason reason) {
  if (closing_) return;
  closing_ = true;
  state_.beginClose(reason, lifecycle::CloseMode::Immediate);
  detach();
  pool_.onConnectionClosing(*this);
  auto* handle = reinterpret_cast<uv_handle_t*>(&tcp_);
  if (handle->loop == nullptr) {
    // uv_tcp_init never ran: there is no handle to close, only the books.
    state_.closed();
    pool_.onConnectionClosed(this);
    return;
  }
  uv_close(handle, &Connection::onCloseThunk);
}

void Connection::onCloseThunk(uv_handle_t* handle) noexcept {
  auto* self = static_cast<Connection*>(handle->data);
  self->state_.closed();
  self->pool_.onConnectionClosed(self);  // frees self
}

void Connection::pause() {
  if (paused_ || closing_) return;
  paused_ = true;
  uv_read_stop(reinterpret_cast<uv_stream_t*>(&tcp_));
}

void Connection::resume() {
  if (!paused_ || closing_) return;
  paused_ = false;
  const std::string bytes = std::move(pending_);
  pending_.clear();
  const int rc = uv_read_start(reinterpret_cast<uv_stream_t*>(&tcp_), &Connection::onAllocThunk,
                               &Connection::onReadThunk);
  if (rc < 0) {
    fail(ErrorKind::IoError, CloseReason::IoError, uv_err_name(rc), false);
    return;
  }
  if (unfed_) {
    unfed_ = false;
    feed(bytes.data(), bytes.size());
  }
}

int Connection::fd() const noexcept {
  uv_os_fd_t fd = -1;
  if (closing_ || uv_fileno(reinterpret_cast<const uv_handle_t*>(&tcp_), &fd) != 0) return -1;
  return fd;
}

}  // namespace closewise::upstream
