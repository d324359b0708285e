#include "server/connection.h"

#include <fmt/format.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cassert>
#include <cerrno>
#include <climits>
#include <cstddef>
#include <random>
#include <utility>

#include "kernel/address.h"
#include "kernel/tcp_info.h"
#include "protocol/response_writer.h"
#include "server/flow_marks.h"
#include "server/worker.h"

namespace closewise::server {

using lifecycle::CloseMode;
using lifecycle::CloseReason;
using lifecycle::Phase;

namespace {

std::string peerName(const uv_tcp_t* tcp) {
  sockaddr_storage ss{};
  int len = sizeof ss;
  if (uv_tcp_getpeername(tcp, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "?";
  return kernel::formatSocketAddress(ss);
}

bool isPeerGone(int status) {
  return status == UV_ECONNRESET || status == UV_EPIPE || status == UV_ECONNABORTED ||
         status == UV_ENOTCONN;
}

// An X-Request-Id worth keeping: 1 to 200 visible ASCII characters (VCHAR, RFC 5234 appendix
// B.1). Anything else (empty, very long, spaces or control bytes that could forge a log line) is
// ignored and an id is made instead.
bool isSaneRequestId(std::string_view id) noexcept {
  if (id.empty() || id.size() > 200) return false;
  return std::all_of(id.begin(), id.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

// A random 64-bit prefix per process and a counter: unique within the process by the counter,
// and across restarts and instances in practice by the prefix (two processes share one with odds
// of 1 in 2^64), with no system call per id. Hex, "5f3a9c0e12b4d6f8-1c".
std::string makeRequestId() {
  static const std::uint64_t prefix = [] {
    try {
      std::random_device device;
      return (static_cast<std::uint64_t>(device()) << 32) ^ device();
    } catch (const std::exception&) {
      // No entropy source to read: the start time and the process id still differ by restart.
      return uv_hrtime() ^ (static_cast<std::uint64_t>(uv_os_getpid()) << 48);
    }
  }();
  static std::atomic<std::uint64_t> counter{0};
  // Leading zeros kept, so every prefix has the same width.
  return fmt::format("{:016x}-{:x}", prefix, counter.fetch_add(1, std::memory_order_relaxed));
}

}  // namespace

// ---- Responder -------------------------------------------------------------------------------

Responder::Responder(Connection* connection, uv_loop_t* loop) noexcept
    : connection_(connection), loop_(loop) {
  // Only an open exchange has a Responder, and an open exchange holds its Exchange.
  assert(connection_->ex_);
  connection_->ex_->responder = this;
}

Responder::Responder(Responder&& other) noexcept
    : connection_(other.connection_), loop_(other.loop_) {
  other.connection_ = nullptr;
  if (connection_ != nullptr) connection_->ex_->responder = this;
}

Responder& Responder::operator=(Responder&& other) noexcept {
  if (this != &other) {
    this->~Responder();
    connection_ = other.connection_;
    loop_ = other.loop_;
    other.connection_ = nullptr;
    if (connection_ != nullptr) connection_->ex_->responder = this;
  }
  return *this;
}

Responder::~Responder() {
  if (connection_ == nullptr) return;
  Connection* connection = connection_;
  connection_ = nullptr;
  // A Responder still attached means the exchange is open: every path that ends one (answer,
  // cancel, close) detaches it before the Exchange goes back to the worker.
  connection->ex_->responder = nullptr;
  connection->responderDropped();
}

void Responder::detach() noexcept {
  connection_ = nullptr;
}

bool Responder::send(int status, std::string_view body, std::vector<Header> headers) {
  return connection_ != nullptr && connection_->respondSend(status, body, std::move(headers));
}

bool Responder::start(int status, std::vector<Header> headers,
                      std::optional<std::uint64_t> contentLength) {
  if (connection_ == nullptr ||
      !connection_->respondStart(status, std::move(headers), contentLength)) {
    return false;
  }
  // A streamed answer's head goes out at once rather than with the first piece of body, which
  // may be a timer away. (send() composes head and body into one write instead.)
  connection_->flush();
  return connection_ != nullptr && !connection_->handleClosing_;
}

bool Responder::write(std::string_view data) {
  return connection_ != nullptr && connection_->respondWrite(data);
}

bool Responder::wantsMore() const noexcept {
  return connection_ != nullptr && connection_->queuedBytes() < kHighWater;
}

void Responder::onWritable(std::function<void()> callback) {
  if (connection_ == nullptr) return;
  connection_->hooks().onWritable = std::move(callback);
}

bool Responder::end() {
  return connection_ != nullptr && connection_->respondEnd();
}

std::string Responder::peerAddress() const {
  return connection_ != nullptr ? connection_->peerAddress() : std::string();
}

void Responder::onFinished(std::function<void(const ExchangeSummary&)> callback) {
  if (connection_ == nullptr || !callback) return;
  connection_->ex_->onFinished.push_back(std::move(callback));
}

std::string Responder::requestId() const {
  return connection_ != nullptr ? connection_->requestId() : std::string();
}

std::chrono::milliseconds Responder::timeLeft() const {
  return connection_ != nullptr ? connection_->timeLeft() : std::chrono::milliseconds(0);
}

// ---- Middleware ------------------------------------------------------------------------------

void Next::operator()(const Request& request, Responder responder) const {
  if (next_ != end_) {
    (*next_)(request, std::move(responder), Next(next_ + 1, end_));
    return;
  }
  Connection* connection = responder.connection_;
  if (connection == nullptr) return;  // cancelled while a middleware held it
  connection->runRoute(connection->ex_->route, request, std::move(responder));
}

void Responder::onCancel(std::function<void()> callback) {
  if (connection_ == nullptr) return;
  connection_->hooks().onCancel = std::move(callback);
}

bool Responder::readBody(BodyReader reader) {
  return connection_ != nullptr && connection_->readBody(std::move(reader));
}

void Responder::pauseBody() {
  if (connection_ != nullptr) connection_->pauseBody();
}

void Responder::resumeBody() {
  if (connection_ != nullptr) connection_->resumeBody();
}

// ---- Connection: setup -----------------------------------------------------------------------

Connection::Connection(Worker& worker, std::uint64_t id)
    : worker_(worker),
      id_(id),
      state_(worker.tallyBook(), worker.options().timeouts, worker.now()),
      phaseSince_(worker.now()) {
  tcp_.data = this;
}

Connection::~Connection() {
  assert(state_.phase() == Phase::Closed);
  assert(!hook_.linked());
}

Connection* Connection::fromHook(ListHook* hook) noexcept {
  // offsetof is only conditionally supported for a class that is not standard-layout; GCC and
  // Clang support it for any class without virtual bases, which Connection has none of. It
  // saves a back pointer per connection.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winvalid-offsetof"
  constexpr std::size_t kHookOffset = offsetof(Connection, hook_);
#pragma GCC diagnostic pop
  return reinterpret_cast<Connection*>(reinterpret_cast<char*>(hook) - kHookOffset);
}

int Connection::fd() const noexcept {
  uv_os_fd_t fd = -1;
  if (!initialized_ || uv_fileno(reinterpret_cast<const uv_handle_t*>(&tcp_), &fd) != 0) return -1;
  return fd;
}

int Connection::accept(int fd) {
  worker_.schedule(*this);
  int rc = uv_tcp_init(worker_.loop(), &tcp_);
  if (rc != 0) {
    // Without an initialized handle there is nothing to uv_close: closeSocket() hands the
    // connection straight back to the worker, which frees it. Touch nothing after this.
    ::close(fd);
    close(CloseReason::IoError, CloseMode::Immediate);
    return rc;
  }
  initialized_ = true;
  // One ioctl(FIONBIO), then the handle owns the fd (uv_close closes it).
  rc = uv_tcp_open(&tcp_, fd);
  if (rc != 0) {
    ::close(fd);  // not the handle's: uv_tcp_open failed before taking it
    close(CloseReason::IoError, CloseMode::Immediate);
    return rc;
  }
  // TCP_NODELAY, TCP_NOTSENT_LOWAT and keepalive come with the socket: they were set on the
  // listener, which the accepted socket is a copy of (AcceptedSocketOptions in listener.h).
  if (spdlog::should_log(spdlog::level::debug) || worker_.options().accessLog) {
    peer_ = std::make_unique<std::string>(peerName(&tcp_));
  }
  SPDLOG_DEBUG("conn={} accepted peer={} worker={}", id_, peer_ ? *peer_ : "", worker_.index());
  startReading();
  return 0;
}

void Connection::rejectOverload(bool reset) {
  if (reset) {
    close(CloseReason::Overload, CloseMode::Reset);
    return;
  }
  answerThenClose(503, "overloaded: too many connections\n", CloseReason::Overload);
}

// ---- Reading ---------------------------------------------------------------------------------

void Connection::startReading() {
  if (reading_ || handleClosing_ || state_.peerFinSeen()) return;
  int rc = uv_read_start(stream(), &Connection::onAllocThunk, &Connection::onReadThunk);
  if (rc != 0) {
    SPDLOG_DEBUG("conn={} uv_read_start: {}", id_, uv_err_name(rc));
    close(CloseReason::IoError, CloseMode::Immediate);
    return;
  }
  reading_ = true;
}

void Connection::stopReading() {
  if (!reading_) return;
  uv_read_stop(stream());
  reading_ = false;
}

void Connection::onAllocThunk(uv_handle_t* handle, std::size_t, uv_buf_t* buf) noexcept {
  // One buffer per loop, shared: libuv reads one stream at a time and onRead consumes or copies
  // every byte before returning, so an idle connection holds no read buffer at all.
  *buf = static_cast<Connection*>(handle->data)->worker_.readBuffer();
}

void Connection::onReadThunk(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) noexcept {
  static_cast<Connection*>(stream->data)->onRead(nread, buf);
}

void Connection::onRead(ssize_t nread, const uv_buf_t* buf) {
  if (nread == 0) return;  // EAGAIN: nothing this time
  if (nread < 0) {
    if (nread == UV_EOF) {
      reading_ = false;  // libuv stops reading at EOF
      onPeerFin();
    } else if (isPeerGone(static_cast<int>(nread))) {
      // A peer's misbehaviour is input, not our failure: debug, like nginx's info for ECONNRESET.
      SPDLOG_DEBUG("conn={} read: {}", id_, uv_err_name(static_cast<int>(nread)));
      close(CloseReason::PeerReset, CloseMode::Immediate);
    } else {
      spdlog::info("conn={} read error: {}", id_, uv_err_name(static_cast<int>(nread)));
      close(CloseReason::IoError, CloseMode::Immediate);
    }
    return;
  }
  const auto n = static_cast<std::size_t>(nread);
  bytesIn_ += n;
  if (state_.phase() == Phase::WebSocket || state_.phase() == Phase::WsClosing) {
    wsRead(buf->base, n);
    return;
  }
  if (state_.closeBegun()) {
    // Lingering close, or an error answer on its way out: read and discard, so that unread
    // input never turns our close into an RST that destroys the answer (RFC 9112 section 9.6).
    if (state_.phase() == Phase::Closing) {
      advance([&] { state_.lingerProgress(worker_.now()); });
    }
    return;
  }
  const bool bodyFlowing = ex_ && ex_->bodyFlow == BodyFlow::Flowing;
  if (exchangeOpen_ && !bodyFlowing) {
    // Reading on while a handler works is how a FIN gets seen in every phase; what arrives is
    // kept for later, up to a cap. A streamed body its handler has paused waits here too, and
    // the cap is its back-pressure: the kernel's buffer fills, then the client's window closes.
    std::string& pending = exchange().pending;
    pending.append(buf->base, n);
    if (pending.size() >= kMaxPendingInput) stopReading();
    return;
  }
  readDrained_ = n < buf->len;
  if (bodyFlowing) {
    // The handler reads the body as it comes: drive() hands it over.
    ex_->pending.append(buf->base, n);
    drive(nullptr, 0);
  } else {
    drive(buf->base, n);
  }
  readDrained_ = false;  // the connection's memory lives until its close callback, after this
}

void Connection::onPeerFin() {
  const Phase before = state_.phase();  // for the log
  const bool stay = advance([&] { return state_.peerFin(worker_.now()); });
  if (!stay) {
    // Nothing left to answer (idle, mid-request, or our own FIN already sent): close now, so no
    // socket of ours waits in CLOSE_WAIT.
    SPDLOG_DEBUG("conn={} peer closed in {}", id_, lifecycle::phaseName(before));
    closeSocket();
    return;
  }
  if (bodyUnfinished() && !ex_->bodyComplete) {
    // The answer started before the streamed body ended, and now the body never will: the
    // request is incomplete, and its handler must not wait for the rest.
    SPDLOG_DEBUG("conn={} peer closed mid-body", id_);
    close(CloseReason::PeerClosed, CloseMode::Immediate);
    return;
  }
  // Half-close after a complete request (RFC 9112 section 9.6): the peer still wants the answer.
  // Anything buffered after this request will never be answered; drop it.
  SPDLOG_DEBUG("conn={} half-closed by peer; finishing the answer", id_);
  if (ex_) std::string().swap(ex_->pending);
  maybeFinishExchange();
}

void Connection::drive(const char* data, std::size_t len) {
  // Iterative on purpose: a handler that answers at once returns here before the next pipelined
  // request is parsed, so 64 KiB of tiny pipelined requests cannot grow the stack.
  assert(!driving_);
  driving_ = true;
  parseInput(data, len);
  for (;;) {
    if (bodyStep()) continue;
    if (exchangeOpen_ || !hasPendingInput() || state_.closeBegun()) break;
    std::string input;
    input.swap(ex_->pending);
    parseInput(input.data(), input.size());
    if (ex_ && ex_->pending.empty()) {
      input.clear();
      ex_->pending.swap(input);  // keep the capacity for the next round
    }
  }
  driving_ = false;
  // Answers held back for a batch (respondEnd) go out now, in one write.
  flush();
  if (handleClosing_) return;
  if (!exchangeOpen_ && !state_.closeBegun() && !hasPendingInput()) {
    if (!ex_ || !ex_->parser.inProgress()) {
      // Idle between requests: an idle connection holds no parser and no buffers.
      trimForIdle();
    }
  }
  if (!exchangeOpen_ && !state_.closeBegun()) startReading();
}

void Connection::parseInput(const char* data, std::size_t len) {
  while (len > 0) {
    protocol::RequestParser& parser = exchange().parser;
    const auto now = worker_.now();
    if (!parser.inProgress()) {
      advance([&] { state_.requestStarted(now); });
      // Each request's body starts afresh (the Exchange may have served another connection).
      ex_->bodyFlow = BodyFlow::Buffered;
      ex_->bodyComplete = false;
      ex_->continueDue = false;
    }
    const auto result = parser.feed(data, len);
    data += result.consumed;
    len -= result.consumed;
    switch (result.status) {
      case protocol::ParseStatus::NeedMore:
        if (state_.readingBody()) {
          advance([&] { state_.bodyProgress(now); });
          enforceReceiveRate(now);
        }
        assert(len == 0);
        return;
      case protocol::ParseStatus::HeadComplete: {
        const Router::Match match = route();
        const bool streamed = match.handler != nullptr && match.options.streamBody;
        if (!onHeadWithBody(now, len, streamed)) return;
        if (!streamed) continue;
        // The handler runs now and reads the body at its own pace: what follows the head in
        // this read waits for it, and drive() delivers it once the handler reads.
        ex_->pending.assign(data, len);
        dispatch(match);
        return;
      }
      case protocol::ParseStatus::MessageComplete: {
        advance([&] {
          if (state_.readingBody()) {
            state_.requestComplete(now);
          } else {
            state_.headComplete(now, false);
          }
        });
        if (len > 0) ex_->pending.assign(data, len);
        dispatch(route());
        return;
      }
      case protocol::ParseStatus::Error: {
        const auto error = parser.error();
        SPDLOG_DEBUG("conn={} bad request: {} {}", id_, error.status, error.reason);
        std::string body(error.reason);
        body += '\n';
        answerThenClose(error.status, body, CloseReason::ProtocolError);
        return;
      }
    }
  }
}

bool Connection::onHeadWithBody(lifecycle::TimePoint now, std::size_t bodyBytesInHand,
                                bool streamed) {
  advance([&] { state_.headComplete(now, true); });
  // RFC 9110 section 10.1.1: answer 100 only if the body has not started arriving.
  const bool continueDue = ex_->parser.request().expectContinue && bodyBytesInHand == 0;
  if (streamed) {
    // Until the handler reads, it holds the body up, not the client: its deadline runs, no rate
    // window is open, and the client waiting for 100 Continue waits for the handler too.
    advance([&] { state_.bodyPaused(now); });
    ex_->continueDue = continueDue;
    return true;
  }
  // The body's bytes count from the end of the head, those already in this read included.
  ex_->bodyRate.open(now, bytesIn_ - bodyBytesInHand);
  if (continueDue) {
    output().append(protocol::kContinue);
    flush();
    // The write failed and the connection let go of the parser.
    if (handleClosing_) return false;
  }
  return true;
}

void Connection::enforceReceiveRate(lifecycle::TimePoint now) {
  const auto& policy = worker_.options().timeouts;
  if (ex_->bodyRate.judge(now, bytesIn_, policy.minReceiveRate, policy.body) !=
      lifecycle::RateWindow::Verdict::TooSlow) {
    return;
  }
  // The body deadline is per read, so a client sending a few bytes every few seconds never
  // misses it (slowhttptest -B). Below the floor the body would take longer than we are prepared
  // to wait however steadily it came: RFC 9110 section 15.5.9's 408, and a lingering close.
  SPDLOG_DEBUG("conn={} request body below --min-receive-rate", id_);
  answerThenClose(408, "request body too slow\n", CloseReason::SlowBody);
}

Router::Match Connection::route() const {
  // The router serves HEAD with a GET route (RFC 9110 section 9.3.2), and leaves the route's
  // parameters in the request for the handler's pathValue().
  Request& request = ex_->parser.request();
  return worker_.router().find(request.method, request.path, &request.pathValues);
}

void Connection::dispatch(const Router::Match& match) {
  exchangeOpen_ = true;
  answer_ = Answer{};
  answer_.dispatchedNs = uv_hrtime();
  answer_.bytesOutBefore = bytesProduced();
  const Request& request = ex_->parser.request();
  answer_.headRequest = request.method == "HEAD";
  if (match.handler != nullptr && match.options.streamBody) {
    // Dispatched at the head with the body still to come, or at the end of a request without
    // one: either way the handler reads it through readBody().
    ex_->bodyFlow = BodyFlow::Waiting;
    ex_->bodyComplete = !state_.readingBody();
  }
  ex_->requestId.clear();
  Responder responder(this, worker_.loop());
  const std::vector<Middleware>& chain = worker_.router().middleware();
  try {
    if (chain.empty()) {
      runRoute(match, request, std::move(responder));
    } else {
      // The chain may reach its end after this returns (a middleware that waits on a timer):
      // the route is kept with the exchange until then.
      ex_->route = match;
      const Middleware* first = chain.data();
      Next(first, first + chain.size())(request, std::move(responder));
    }
  } catch (const std::exception& e) {
    // Unwinding destroyed the handler's Responder, which already answered 500 (or reset a
    // started response): see responderDropped().
    spdlog::error("conn={} handler for {} threw: {}", id_, request.path, e.what());
  }
}

void Connection::runRoute(const Router::Match& match, const Request& request,
                          Responder&& responder) {
  if (match.handler == nullptr) {
    std::vector<Header> headers = {{"Content-Type", "text/plain; charset=utf-8"}};
    if (!match.allow.empty()) headers.push_back({"Allow", match.allow});
    responder.send(match.status,
                   match.status == 405   ? "method not allowed\n"
                   : match.status == 400 ? "bad request\n"
                                         : "not found\n",
                   std::move(headers));
    return;
  }
  (*match.handler)(request, std::move(responder));
}

std::string Connection::requestId() {
  Exchange& ex = *ex_;
  if (ex.requestId.empty()) {
    const std::string* given = ex.parser.request().header("X-Request-Id");
    if (given != nullptr && isSaneRequestId(*given)) {
      ex.requestId = *given;
    } else {
      ex.requestId = makeRequestId();
    }
  }
  return ex.requestId;
}

std::chrono::milliseconds Connection::timeLeft() const {
  using std::chrono::milliseconds;
  // The handler deadline is the phase's deadline while the handler holds the exchange
  // (processing, or a streamed body it has not read or has paused), half-closed or not.
  if (!state_.answerStarted() && state_.deadlineReason() == CloseReason::HandlerTimeout) {
    const auto now = worker_.now();
    const auto deadline = state_.deadline();
    return deadline > now ? milliseconds(deadline - now) : milliseconds(0);
  }
  // A streamed body still arriving: the handler deadline starts when it ends.
  if (!state_.answerStarted() && state_.readingBody()) return worker_.options().timeouts.handler;
  return milliseconds(0);
}

// ---- Streamed request body -------------------------------------------------------------------

bool Connection::readBody(BodyReader&& reader) {
  if (!exchangeOpen_ || handleClosing_ || !ex_ || ex_->bodyFlow != BodyFlow::Waiting) return false;
  hooks().body = std::move(reader);
  ex_->bodyFlow = BodyFlow::Paused;
  resumeBody();
  return !handleClosing_;
}

void Connection::pauseBody() {
  if (!ex_ || ex_->bodyFlow != BodyFlow::Flowing) return;
  ex_->bodyFlow = BodyFlow::Paused;
  // The handler sets the pace now: its deadline runs, and the time it holds the body does not
  // count against the client's rate. Reading goes on up to the pending cap (onRead).
  ex_->bodyRate.drop();
  const auto now = worker_.now();
  advance([&] { state_.bodyPaused(now); });
  if (ex_->pending.size() >= kMaxPendingInput) stopReading();
}

void Connection::resumeBody() {
  if (!ex_ || ex_->bodyFlow != BodyFlow::Paused || handleClosing_) return;
  ex_->bodyFlow = BodyFlow::Flowing;
  const auto now = worker_.now();
  if (state_.readingBody()) {
    advance([&] { state_.bodyProgress(now); });
    ex_->bodyRate.open(now, bytesIn_);
  }
  // RFC 9110 section 10.1.1: the client waits for 100 before it sends the body; a final answer
  // already on its way makes it moot.
  if (std::exchange(ex_->continueDue, false) && ex_->pending.empty() && !state_.answerStarted()) {
    output().append(protocol::kContinue);
    flush();
    if (handleClosing_) return;
  }
  startReading();
  // Inside drive() (the handler's first call, or one of the body's callbacks), its loop
  // delivers what is buffered; otherwise it is delivered now.
  if (!driving_) drive(nullptr, 0);
}

bool Connection::bodyStep() {
  if (!ex_ || ex_->bodyFlow != BodyFlow::Flowing || state_.closeBegun()) return false;
  if (ex_->bodyComplete) {
    ex_->bodyFlow = BodyFlow::Ended;
    std::function<void()> onEnd;
    if (hooks_) onEnd = std::move(hooks_->body.onEnd);
    if (onEnd) onEnd();
    return true;
  }
  if (ex_->pending.empty()) return false;
  feedBody();
  return true;
}

void Connection::feedBody() {
  std::string input;
  input.swap(ex_->pending);
  protocol::RequestParser& parser = ex_->parser;
  const auto result = parser.feed(input.data(), input.size());
  // What follows the body is the next pipelined request; it waits for this exchange to end.
  if (result.consumed < input.size()) ex_->pending.assign(input, result.consumed);
  std::string piece;
  piece.swap(parser.request().body);
  const auto now = worker_.now();
  switch (result.status) {
    case protocol::ParseStatus::NeedMore:
      // Once the answer has started, the write deadline guards the connection instead.
      if (!state_.readingBody()) break;
      advance([&] { state_.bodyProgress(now); });
      enforceReceiveRate(now);
      if (state_.closeBegun()) return;
      break;
    case protocol::ParseStatus::MessageComplete:
      ex_->bodyComplete = true;
      if (state_.readingBody()) advance([&] { state_.requestComplete(now); });
      break;
    case protocol::ParseStatus::HeadComplete:
      assert(false && "the parser stops at a head only before a body, never inside one");
      return;
    case protocol::ParseStatus::Error: {
      // A body over --max-body-bytes (a chunked one only shows it as it comes) or with bad
      // chunk framing: answered in the handler's place, as for a buffered body.
      const auto error = parser.error();
      SPDLOG_DEBUG("conn={} bad request body: {} {}", id_, error.status, error.reason);
      std::string body(error.reason);
      body += '\n';
      answerThenClose(error.status, body, CloseReason::ProtocolError);
      return;
    }
  }
  if (!piece.empty() && hooks_ && hooks_->body.onData) {
    // A copy runs: the handler may end the exchange from inside it (an answer, a cancel), which
    // frees the hooks, and a std::function must not be destroyed while it runs.
    const auto onData = hooks_->body.onData;
    onData(piece);
  }
  if (ex_ && ex_->pending.empty()) {
    input.clear();
    ex_->pending.swap(input);  // keep the capacity for the next read
  }
}

// ---- Writing ---------------------------------------------------------------------------------

bool Connection::respondStart(int status, std::vector<Header>&& headers,
                              std::optional<std::uint64_t> contentLength) {
  if (!exchangeOpen_ || state_.answerStarted() || handleClosing_) return false;
  if (status < 200 || status > 599) {
    // A 1xx answer is interim (RFC 9110 section 15.2): the client would wait on after it for a
    // final one that never comes. The connection sends the one interim answer it uses, 100
    // Continue, itself; anything outside 100-599 is no status at all.
    spdlog::error("conn={} handler answered {}, which is not a final status (200 to 599)", id_,
                  status);
    return false;
  }
  const auto now = worker_.now();
  const Request& request = ex_->parser.request();
  auto verdict = state_.keepAliveVerdict(now, !worker_.keepAliveAllowed(), !request.keepAlive);
  if (verdict.keepAlive && bodyUnfinished() && !ex_->bodyComplete) {
    // A streamed body is still arriving. What is left of it would be read as the next request
    // (RFC 9112 section 6.3), and reading it only to throw it away may take as long as the
    // client likes: the answer says the connection ends, and the lingering close discards the
    // rest.
    verdict = {false, CloseReason::ServerClose};
  }
  protocol::ResponseHead head;
  head.status = status;
  head.headers = std::move(headers);
  head.contentLength = contentLength;
  head.keepAlive = verdict.keepAlive;
  head.requestVersionMinor = request.versionMinor;
  head.headRequest = answer_.headRequest;
  // The head decides how the body is framed, and nothing the handler writes can change it.
  answer_.framing = protocol::bodyFraming(head);
  if (!protocol::keepsConnectionOpen(head)) {
    // Without a reason from the verdict, the close is the one an HTTP/1.0 answer of unknown
    // length needs to end its body (RFC 9112 section 6.3 rule 8): the client asked to keep the
    // connection, so the close is ours.
    answer_.closeAfter =
        verdict.reason != CloseReason::None ? verdict.reason : CloseReason::ServerClose;
  }
  protocol::appendResponseHead(output(), head, worker_.date());
  ex_->bodyRemaining = answer_.framing == protocol::BodyFraming::ContentLength ? *contentLength : 0;
  answer_.status = static_cast<std::uint16_t>(status);
  worker_.countResponse(status);
  advance([&] { state_.responseStarted(now); });
  return true;
}

void Connection::appendBody(std::string_view data) {
  switch (answer_.framing) {
    case protocol::BodyFraming::None:
      // For HEAD the GET handler runs unchanged and its body is dropped unseen (RFC 9110 section
      // 9.3.2). For a 1xx, 204 or 304 it is the handler's bug: said once per answer, since bytes
      // after such a head would be read as the start of the next answer.
      if (!answer_.headRequest && !answer_.bodyDropped) {
        answer_.bodyDropped = true;
        spdlog::error(
            "conn={} handler wrote a body to a {} answer, which has none (RFC 9110 "
            "section 6.4.1): dropped",
            id_, answer_.status);
      }
      return;
    case protocol::BodyFraming::Chunked:
      protocol::appendChunk(output(), data);
      return;
    case protocol::BodyFraming::CloseDelimited:
      // RFC 9112 section 6.3, rule 8: the body runs until the connection closes.
      output().append(data);
      return;
    case protocol::BodyFraming::ContentLength: {
      std::uint64_t& remaining = ex_->bodyRemaining;
      if (remaining < data.size()) {
        // A handler writing past its own Content-Length would corrupt the framing of every later
        // response on this connection (RFC 9112 section 6.3): refuse the excess.
        spdlog::error("conn={} handler wrote past its Content-Length", id_);
        data = data.substr(0, static_cast<std::size_t>(remaining));
      }
      remaining -= data.size();
      output().append(data);
      return;
    }
  }
}

bool Connection::respondWrite(std::string_view data) {
  if (!state_.answerStarted() || answer_.ended || handleClosing_) return false;
  if (data.empty()) return true;
  appendBody(data);
  flush();
  return !handleClosing_;
}

bool Connection::respondEnd() {
  if (!state_.answerStarted() || answer_.ended || handleClosing_) return false;
  if (answer_.framing == protocol::BodyFraming::ContentLength && ex_->bodyRemaining > 0) {
    // The response promised more bytes than it has: the only honest end is an abort, so the
    // client does not take a short body for a complete one.
    spdlog::error("conn={} handler ended {} bytes short of its Content-Length", id_,
                  ex_->bodyRemaining);
    close(CloseReason::ServerClose, CloseMode::Reset);
    return false;
  }
  if (answer_.framing == protocol::BodyFraming::Chunked) protocol::appendLastChunk(output());
  answer_.ended = true;
  if (Responder* responder = std::exchange(ex_->responder, nullptr); responder != nullptr) {
    responder->detach();
  }
  hooks_.reset();
  // More pipelined input is waiting and this exchange will end in keep-alive: hold the answer
  // back so that it leaves with the next ones, in order. drive() writes whatever is held once
  // the input runs out, and the last answer of a batch is written as usual.
  answer_.coalesced = driving_ && hasPendingInput() && !writing_ &&
                      out_.size() < kMaxCoalescedOutput &&
                      closeAfterExchange() == CloseReason::None;
  if (!answer_.coalesced) flush();
  maybeFinishExchange();
  return true;
}

bool Connection::respondSend(int status, std::string_view body, std::vector<Header>&& headers) {
  if (!respondStart(status, std::move(headers), body.size())) return false;
  // One buffer, one write: head and body go out together.
  if (!body.empty()) appendBody(body);
  return respondEnd();
}

void Connection::responderDropped() {
  if (!exchangeOpen_ || answer_.ended || handleClosing_) return;
  if (!state_.answerStarted()) {
    // The handler let go without answering and never can: answer for it now rather than leave
    // the client waiting for the handler deadline.
    spdlog::warn("conn={} handler dropped its Responder without answering", id_);
    Responder owned(this, worker_.loop());
    owned.send(500, "handler did not answer\n");
    return;
  }
  spdlog::warn("conn={} handler dropped its Responder mid-response", id_);
  close(CloseReason::ServerClose, CloseMode::Reset);
}

void Connection::flush() {
  if (writing_ || out_.empty() || handleClosing_) return;
  // Try the write now: on a socket with room in its send buffer (the common case) the bytes go
  // out in this call and no write request or callback is needed.
  int written = sendNow(out_);
  if (written < 0 && written != UV_EAGAIN) {
    if (isPeerGone(written)) {
      SPDLOG_DEBUG("conn={} write: {}", id_, uv_err_name(written));
      close(CloseReason::PeerReset, CloseMode::Immediate);
    } else {
      spdlog::info("conn={} write error: {}", id_, uv_err_name(written));
      close(CloseReason::IoError, CloseMode::Immediate);
    }
    return;
  }
  if (written > 0) {
    bytesOut_ += static_cast<std::uint64_t>(written);
    if (static_cast<std::size_t>(written) == out_.size()) {
      worker_.recycleOutput(out_);
      // No onWritable callback from here: flush() runs inside the handler's own write(), and
      // calling back into it would recurse once per piece of a large response.
      writeProgressed();
      return;
    }
    out_.erase(0, static_cast<std::size_t>(written));
    if (!writeProgressed()) return;
  }
  // The kernel's buffer is full: queue the rest and let the write callback continue.
  if (!write_) {
    write_ = std::make_unique<PendingWrite>();
    write_->req.data = this;
  }
  write_->bytes.swap(out_);
  out_.clear();
  uv_buf_t buf = uv_buf_init(write_->bytes.data(), static_cast<unsigned>(write_->bytes.size()));
  int rc = uv_write(&write_->req, stream(), &buf, 1, &Connection::onWriteThunk);
  if (rc != 0) {
    SPDLOG_DEBUG("conn={} uv_write: {}", id_, uv_err_name(rc));
    close(isPeerGone(rc) ? CloseReason::PeerReset : CloseReason::IoError, CloseMode::Immediate);
    return;
  }
  writing_ = true;
  // A WebSocket has no answer phase: queued output is what puts it under the write deadline.
  if (ws_) advance([&] { state_.writeProgress(worker_.now(), true); });
  // From here our bytes wait on the client: its reading sets the pace, and --min-send-rate
  // judges it, in a window that runs until our queue runs dry (onWrite).
  if (!write_->rate.isOpen()) {
    write_->takenAtCheck = bytesTaken();
    write_->rate.open(worker_.now(), write_->takenAtCheck);
  }
}

std::uint64_t Connection::bytesSent() const noexcept {
  // libuv calls back for a queued write only once the kernel has taken all of it, but shrinks
  // the stream's write queue as the kernel takes each part: what the queue still holds of the
  // write in flight is what has not reached the kernel yet.
  if (!writing_) return bytesOut_;
  const auto* queue = reinterpret_cast<const uv_stream_t*>(&tcp_);
  return bytesOut_ + write_->bytes.size() - uv_stream_get_write_queue_size(queue);
}

std::uint64_t Connection::bytesTaken() const noexcept {
  // The kernel's send queue (SIOCOUTQ) holds what it has not sent or the client has not
  // acknowledged; the rest of what we gave it the client has taken. Each read the client makes
  // opens its window and lets a little more through, so this moves with the client's reading even
  // when the kernel wakes us only once half its buffer is free, which for a reader of a few bytes
  // a second may be minutes.
  int queued = 0;
  const std::uint64_t sent = bytesSent();
  if (::ioctl(fd(), SIOCOUTQ, &queued) != 0 || queued < 0) return sent;
  const auto unacknowledged = static_cast<std::uint64_t>(queued);
  return sent > unacknowledged ? sent - unacknowledged : 0;
}

bool Connection::writeProgressed() {
  const auto now = worker_.now();
  advance([&] { state_.writeProgress(now, !outputDone()); });
  const auto& policy = worker_.options().timeouts;
  // The kernel is asked only once a window has lasted its length.
  if (!write_ || !write_->rate.due(now, policy.write)) return true;
  if (write_->rate.judge(now, bytesTaken(), policy.minSendRate, policy.write) !=
      lifecycle::RateWindow::Verdict::TooSlow) {
    return true;
  }
  // A client taking a few bytes at a time makes progress for ever (slowhttptest -X); below the
  // floor it is treated as one that stopped: reset, and the kernel frees what was queued.
  SPDLOG_DEBUG("conn={} reads below --min-send-rate", id_);
  close(CloseReason::SlowReader, CloseMode::Reset);
  return false;
}

int Connection::sendNow(std::string_view bytes) noexcept {
  // What uv_try_write does, as send(2) rather than write(2): on a socket, send skips the VFS
  // layer's per-call work (the file position lock, the permission and fsnotify hooks; the cost is
  // in bench/README.md, "send(2) rather than write(2)"); MSG_NOSIGNAL keeps a closed peer from
  // raising SIGPIPE whatever the process's disposition. It is only called with no uv_write in
  // flight (flush() checks writing_), so nothing queued in libuv can be overtaken.
  const int fd = this->fd();
  // At most INT_MAX at a time, so the count fits the return type; flush() queues the rest.
  const std::size_t size = std::min<std::size_t>(bytes.size(), INT_MAX);
  for (;;) {
    const ssize_t sent = ::send(fd, bytes.data(), size, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (sent >= 0) return static_cast<int>(sent);
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return UV_EAGAIN;
    return uv_translate_sys_error(errno);
  }
}

void Connection::onWriteThunk(uv_write_t* req, int status) noexcept {
  static_cast<Connection*>(req->data)->onWrite(status);
}

void Connection::onWrite(int status) {
  writing_ = false;
  if (status == UV_ECANCELED || handleClosing_) {
    worker_.recycleOutput(write_->bytes);
    return;
  }
  if (status < 0) {
    SPDLOG_DEBUG("conn={} write: {}", id_, uv_err_name(status));
    close(isPeerGone(status) ? CloseReason::PeerReset : CloseReason::IoError, CloseMode::Immediate);
    return;
  }
  bytesOut_ += write_->bytes.size();
  // The buffer goes back now, not when the answer ends: a slow reader holds one buffer, the
  // next write's, not the largest it ever had.
  worker_.recycleOutput(write_->bytes);
  if (!writeProgressed()) return;
  flush();
  if (handleClosing_) return;
  if (hooks_ && hooks_->onWritable && queuedBytes() < kLowWater) {
    auto callback = std::move(hooks_->onWritable);
    hooks_->onWritable = nullptr;
    callback();
  }
  // The client took everything and the handler has nothing more yet: the handler sets the pace
  // now, so the time until it writes again does not count against the client.
  if (write_ && !writing_) write_->rate.drop();
  if (ws_) {
    wsWritten();
    return;
  }
  maybeFinishExchange();
}

void Connection::maybeFinishExchange() {
  if (exchangeOpen_ && answer_.ended && (outputDone() || answer_.coalesced) && !handleClosing_) {
    finishExchange();
  }
}

lifecycle::CloseReason Connection::closeAfterExchange() const noexcept {
  if (answer_.closeAfter != CloseReason::None) return answer_.closeAfter;  // the head said close
  // The peer's FIN came after the head promised keep-alive: it will send no other request.
  if (state_.peerFinSeen()) return CloseReason::PeerClosed;
  // The drain began after the head promised keep-alive. Going idle now would hold the drain up
  // until the idle deadline, so close instead; a client that reuses the connection at this
  // instant sees the ordinary keep-alive race and retries.
  if (!worker_.keepAliveAllowed()) return CloseReason::Drain;
  return CloseReason::None;
}

// The one decision point after each exchange (nginx's ngx_http_finalize_connection): keep the
// connection, go on to the next pipelined request, or close it, and how.
void Connection::finishExchange() {
  exchangeOpen_ = false;
  answer_.coalesced = false;
  if (ex_) ex_->bodyFlow = BodyFlow::Buffered;  // nothing more is delivered to this handler
  const CloseReason reason = closeAfterExchange();
  accountExchange(true, reason);
  if (reason != CloseReason::None) {
    close(reason, CloseMode::Graceful);
    return;
  }
  const auto now = worker_.now();
  ex_->parser.reset();
  advance([&] { state_.responseComplete(now, hasPendingInput()); });
  if (!driving_) {
    if (hasPendingInput()) {
      std::string input;
      input.swap(ex_->pending);
      drive(input.data(), input.size());
    } else {
      trimForIdle();
      startReading();
    }
  }
}

// ---- Closing ---------------------------------------------------------------------------------

void Connection::answerThenClose(int status, std::string_view body, CloseReason reason) {
  if (handleClosing_) return;
  if (state_.answerStarted() && !answer_.ended) {
    // Part of an answer is already on the wire: nothing else can be said on this connection.
    close(reason, CloseMode::Reset);
    return;
  }
  // An exchange a handler had (its deadline passed, its streamed body failed) is answered here
  // in the handler's place: the answer is that exchange's, measured from its dispatch, and its
  // onFinished callbacks wait for it (cancelExchange with a status leaves them).
  const bool inPlace = exchangeOpen_;
  const Answer handlers = answer_;
  cancelExchange(status);
  const auto now = worker_.now();
  // The close is on the books from here, so input that arrives while the answer is written is
  // read and discarded (onRead); finishExchange() then closes with this reason, gracefully.
  state_.beginClose(reason, CloseMode::Graceful, now);
  if (ex_) ex_->pending.clear();
  exchangeOpen_ = true;
  answer_ = Answer{};
  answer_.dispatchedNs = inPlace ? handlers.dispatchedNs : uv_hrtime();
  answer_.bytesOutBefore = inPlace ? handlers.bytesOutBefore : bytesProduced();
  answer_.status = static_cast<std::uint16_t>(status);
  answer_.closeAfter = reason;
  answer_.ended = true;  // composed whole below
  output() += protocol::simpleResponse(status, body, false, worker_.date());
  worker_.countResponse(status);
  advance([&] { state_.responseStarted(now); });
  flush();
  maybeFinishExchange();
}

void Connection::close(CloseReason reason, CloseMode mode) {
  if (handleClosing_) return;
  // A WebSocket's graceful close is its close handshake first (RFC 6455 section 7.1.2); its
  // TCP close comes when that is over.
  if (mode == CloseMode::Graceful && ws_ && wsStartClose(protocol::kWsCloseGoingAway, {}, reason)) {
    return;
  }
  state_.beginClose(reason, mode, worker_.now());
  switch (mode) {
    case CloseMode::Graceful:
      closeGracefully();
      return;
    case CloseMode::Reset:
      if (resetsOnClose() && resetSocket()) return;
      break;  // our FIN is already out (or there is no socket): a plain close
    case CloseMode::Immediate:
      break;
  }
  closeSocket();
}

void Connection::closeGracefully() {
  if (shutdownSent_) return;  // already lingering
  cancelExchange();
  if (hasPendingInput()) inputLeftUnread_ = true;
  if (!outputDone()) {
    if (ex_) ex_->pending.clear();
    return;  // the write callback comes back here through finishExchange
  }
  if (ex_) worker_.releaseExchange(std::move(ex_));
  if (nothingToLingerFor()) {
    // close() sends our FIN after the queued bytes, as shutdown() would; with no unread input
    // the kernel has no reason to answer anything with an RST, so there is nothing to protect.
    closeSocket();
    return;
  }
  // Our FIN: shutdown(SHUT_WR) after the queued bytes. Then read and discard until the peer's
  // FIN or the linger deadline, so unread input never makes the kernel answer with an RST.
  shutdownReq_ = std::make_unique<uv_shutdown_t>();
  shutdownReq_->data = this;
  int rc = uv_shutdown(shutdownReq_.get(), stream(), &Connection::onShutdownThunk);
  if (rc != 0) {
    SPDLOG_DEBUG("conn={} uv_shutdown: {}", id_, uv_err_name(rc));
    closeSocket();
    return;
  }
  shutdownSent_ = true;
  if (!state_.peerFinSeen()) startReading();
}

bool Connection::nothingToLingerFor() const {
  // The peer's FIN arrived: it can send nothing more, so no input can arrive unread.
  if (state_.peerFinSeen()) return true;
  // The peer asked for the close (Connection: close, or HTTP/1.0 without keep-alive), its request
  // was read to the end, and it may not send another (RFC 9112 section 9.6). nginx closes at
  // once here too (lingering_close on lingers only when more input may come). What must not be
  // there is input we have not read: that, and only that, would turn close() into an RST
  // (RFC 9293 section 3.6.1, and Linux's tcp_close) and could destroy the answer.
  if (state_.closeReason() != CloseReason::ClientRequested || inputLeftUnread_) return false;
  // Answered within the read that brought the request, and that read left the kernel's queue
  // empty (it did not fill our buffer) a few microseconds ago: nothing is unread, which is what
  // nginx knows from its read event's `ready` flag, and it saves a system call on every
  // connection that closes after one answer. Otherwise (the answer came later, from a handler or
  // a write callback) the kernel is asked.
  if (readDrained_) return true;
  int unread = 0;
  return ioctl(fd(), FIONREAD, &unread) == 0 && unread == 0;
}

void Connection::onShutdownThunk(uv_shutdown_t* req, int status) noexcept {
  static_cast<Connection*>(req->data)->onShutdown(status);
}

void Connection::onShutdown(int status) {
  if (handleClosing_) return;
  if (status < 0) {
    SPDLOG_DEBUG("conn={} shutdown: {}", id_, uv_err_name(status));
    closeSocket();
    return;
  }
  advance([&] { state_.finSent(worker_.now()); });
  // The peer's FIN already arrived (half-close): nothing to linger for.
  if (state_.peerFinSeen()) closeSocket();
}

bool Connection::resetSocket() {
  cancelExchange();
  exchangeAbandoned();  // an ended answer still queued: the RST drops it
  // SO_LINGER {1, 0} and close: an RST, and the kernel drops what is queued.
  handleClosing_ = true;
  int rc = uv_tcp_close_reset(&tcp_, &Connection::onCloseThunk);
  if (rc != 0) {
    SPDLOG_DEBUG("conn={} uv_tcp_close_reset: {}", id_, uv_err_name(rc));
    handleClosing_ = false;
    return false;
  }
  if (ws_) wsEnded();
  advance([&] { state_.closed(); });
  releaseBuffers();
  return true;
}

void Connection::closeSocket() {
  if (handleClosing_) return;
  handleClosing_ = true;
  cancelExchange();
  exchangeAbandoned();  // an ended answer still queued: it goes no further
  if (state_.closeReason() == CloseReason::None) {
    // Every close has a reason; reaching here without one is our bug, but the books must still
    // balance in a release build.
    assert(false && "close without a reason");
    state_.beginClose(CloseReason::ServerClose, CloseMode::Immediate, worker_.now());
  }
  if (ws_) wsEnded();
  advance([&] { state_.closed(); });
  releaseBuffers();
  if (initialized_) {
    uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), &Connection::onCloseThunk);
  } else {
    worker_.release(this);
  }
}

void Connection::releaseBuffers() noexcept {
  // What the connection owns beyond its handle goes back at once; the bytes of a uv_write still
  // in flight (write_) stay until its callback, which libuv runs before the close callback.
  worker_.recycleOutput(out_);
  if (ex_) worker_.releaseExchange(std::move(ex_));
}

void Connection::trimForIdle() noexcept {
  // Between requests a connection keeps only its handle and its books: the parser goes back to
  // the worker's pool, the output buffer to the worker, and the write request is freed.
  releaseBuffers();
  if (!writing_ && write_) {
    worker_.recycleOutput(write_->bytes);
    write_.reset();
  }
  hooks_.reset();
}

Exchange& Connection::exchange() {
  if (!ex_) ex_ = worker_.acquireExchange();
  return *ex_;
}

std::string& Connection::output() {
  // Responses are composed in a buffer borrowed from the worker and handed back once written,
  // so a keep-alive exchange allocates nothing and an idle connection holds no output buffer.
  if (out_.empty()) worker_.borrowOutput(out_);
  return out_;
}

void Connection::onCloseThunk(uv_handle_t* handle) noexcept {
  auto* self = static_cast<Connection*>(handle->data);
  self->worker_.release(self);
}

Connection::HandlerHooks& Connection::hooks() {
  if (!hooks_) hooks_ = std::make_unique<HandlerHooks>();
  return *hooks_;
}

void Connection::cancelExchange(int bodyStatus) {
  Responder* responder = ex_ ? std::exchange(ex_->responder, nullptr) : nullptr;
  // The exchange ends unanswered, unless the connection answers in the handler's place
  // (bodyStatus), whose answer ends it instead (answerThenClose).
  const bool abandoned = exchangeOpen_ && !answer_.ended && bodyStatus == 0;
  if (responder == nullptr) {
    hooks_.reset();
    if (abandoned) exchangeAbandoned();
    return;
  }
  // Detach first: the callback may drop the Responder, which must then find nothing to do.
  responder->detach();
  std::function<void(int)> bodyFailed;
  std::function<void()> callback;
  if (hooks_) {
    if (bodyUnfinished()) bodyFailed = std::move(hooks_->body.onError);
    callback = std::move(hooks_->onCancel);
  }
  hooks_.reset();
  if (ex_) ex_->bodyFlow = BodyFlow::Ended;
  if (bodyFailed) bodyFailed(bodyStatus);
  if (callback) callback();
  if (abandoned) exchangeAbandoned();
}

// ---- Deadlines and drain ---------------------------------------------------------------------

void Connection::onDeadline(lifecycle::TimePoint now) {
  if (handleClosing_) return;
  if (!state_.expired(now)) {
    worker_.schedule(*this);
    return;
  }
  const CloseReason reason = state_.deadlineReason();
  SPDLOG_DEBUG("conn={} deadline passed reason={} phase={}", id_,
               lifecycle::closeReasonName(reason), lifecycle::phaseName(state_.phase()));
  switch (reason) {
    case CloseReason::HeaderTimeout:
    case CloseReason::BodyTimeout:
      if (ex_ && ex_->parser.inProgress()) {
        // RFC 9110 section 15.5.9: 408 for a request that did not arrive in time; then a
        // lingering close, since the client may still be sending.
        answerThenClose(408, "request timeout\n", reason);
      } else {
        // Connected but silent: there is no request to answer.
        close(reason, CloseMode::Graceful);
      }
      break;
    case CloseReason::HandlerTimeout:
      answerThenClose(503, "the handler did not answer in time\n", reason);
      break;
    case CloseReason::WriteTimeout:
      onWriteDeadline();
      break;
    case CloseReason::IdleTimeout:
      close(reason, CloseMode::Graceful);
      break;
    case CloseReason::WsPingTimeout:
      wsOnHeartbeat();
      break;
    case CloseReason::WsCloseTimeout:  // the peer never answered our close frame
    case CloseReason::LingerTimeout:
    default:
      closeSocket();
      break;
  }
}

void Connection::onWriteDeadline() {
  if (write_) {
    // libuv reports a write only once the kernel has taken all of it, and the kernel wakes us
    // only once half its buffer is free: a client reading slowly makes no progress we are told
    // of. What it has taken since the last look is its progress; the deadline then counts from
    // now, so a client that stops is reset between one and two write timeouts after its last
    // read.
    const std::uint64_t taken = bytesTaken();
    if (taken > write_->takenAtCheck) {
      write_->takenAtCheck = taken;
      writeProgressed();
      return;
    }
  }
  // The client stopped reading: a graceful close would wait on it forever. Reset, and the kernel
  // frees what was queued.
  close(CloseReason::WriteTimeout, CloseMode::Reset);
}

bool Connection::isIdle() const noexcept {
  if (handleClosing_ || state_.closeBegun() || exchangeOpen_) return false;
  const Phase phase = state_.phase();
  const bool silent = phase == Phase::Reading && (!ex_ || !ex_->parser.inProgress());
  return phase == Phase::Idle || silent;
}

void Connection::probePeerGone() {
  if (handleClosing_ || state_.phase() != Phase::HalfClosed) return;
  // CLOSE: the kernel has dropped the connection, which after the peer's FIN means its RST
  // arrived (RFC 9293 section 3.10.7.3).
  const auto info = kernel::socketTcpInfo(fd());
  if (info && info->state == kernel::TcpState::Close) {
    SPDLOG_DEBUG("conn={} reset by the peer while half-closed", id_);
    close(CloseReason::PeerReset, CloseMode::Immediate);
  }
}

std::string Connection::peerAddress() const {
  if (peer_) return *peer_;
  if (!initialized_) return {};
  return peerName(&tcp_);
}

// ---- Bookkeeping -----------------------------------------------------------------------------

void Connection::touch(Phase before) noexcept {
  const Phase after = state_.phase();
  if (after != before) phaseSince_ = worker_.now();
  if (after != before && spdlog::should_log(spdlog::level::trace)) {
    spdlog::trace("conn={} phase {}->{} {}", id_, lifecycle::phaseName(before),
                  lifecycle::phaseName(after), lifecycle::closeReasonName(state_.closeReason()));
  }
  if (after == Phase::Closed) {
    worker_.unschedule(*this);
  } else {
    worker_.schedule(*this);
  }
}

// The exchange's duration and size, measured once, go to the histograms and, when it is on, to
// the access log, for an answer that completed; and to the onFinished callbacks, however it
// ended. Without callbacks an exchange that did not complete costs nothing here.
void Connection::accountExchange(bool completed, CloseReason closeReason) {
  const bool observed = ex_ && !ex_->onFinished.empty();
  if (!completed && !observed) return;
  const std::uint64_t nanoseconds = uv_hrtime() - answer_.dispatchedNs;
  const std::uint64_t bytes = bytesProduced() - answer_.bytesOutBefore;
  if (completed) {
    const std::string_view method = ex_ ? std::string_view(ex_->parser.request().method) : "";
    const double seconds = static_cast<double>(nanoseconds) / 1e9;
    worker_.recordExchange(method, answer_.status, seconds, bytes);
    if (worker_.options().accessLog && ex_) logAccess(seconds, bytes);
  }
  if (!observed) return;
  const ExchangeSummary summary{answer_.status, bytes, std::chrono::nanoseconds(nanoseconds),
                                completed, closeReason};
  // Taken out first: the exchange is over, and nothing registered from inside a callback could
  // ever run. The vector goes back afterwards to keep its capacity for the next exchange.
  std::vector<std::function<void(const ExchangeSummary&)>> callbacks;
  callbacks.swap(ex_->onFinished);
  // Innermost first, as deferred work unwinds: the handler's own, then each middleware's
  // outwards, so an outer access log runs last.
  for (auto it = callbacks.rbegin(); it != callbacks.rend(); ++it) {
    try {
      (*it)(summary);
    } catch (const std::exception& e) {
      spdlog::error("conn={} onFinished callback threw: {}", id_, e.what());
    }
  }
  callbacks.clear();
  if (ex_ && ex_->onFinished.empty()) ex_->onFinished.swap(callbacks);
}

void Connection::exchangeAbandoned() {
  if (!exchangeOpen_ || !ex_ || ex_->onFinished.empty()) return;
  accountExchange(false, state_.closeReason());
}

std::uint64_t Connection::bytesProduced() const noexcept {
  // Written, in flight, and still in out_ (a pipelined answer ends before it is written).
  return bytesOut_ + (writing_ ? write_->bytes.size() : 0) + out_.size();
}

namespace {

// A value for key="value" in a log line: quotes and backslashes escaped, so the line reads back
// (app/logging.cc turns each pair into a JSON field); "-" when there is none.
std::string quoted(const std::string* value) {
  if (value == nullptr || value->empty()) return "-";
  std::string text;
  text.reserve(value->size());
  for (const char c : *value) {
    if (c == '"' || c == '\\') text += '\\';
    text += c;
  }
  return text;
}

// The client a proxy in front of us saw: the first address of X-Forwarded-For, as the proxy
// (HAProxy's option forwardfor, nginx's $proxy_add_x_forwarded_for) wrote it. As the client sent
// it when no proxy is in front: a log field, never a decision.
std::string forwardedClient(const Request& request) {
  const std::string* header = request.header("X-Forwarded-For");
  if (header == nullptr) return "-";
  const std::string_view list(*header);
  const std::string_view first = list.substr(0, list.find(','));
  const auto begin = first.find_first_not_of(" \t");
  const auto end = first.find_last_not_of(" \t");
  return begin == std::string_view::npos ? "-" : std::string(first.substr(begin, end - begin + 1));
}

}  // namespace

// One line per exchange, as key=value pairs: conn, peer, method, target, version, status, bytes
// (of the answer, head included), ms (from the complete request to the last byte handed to the
// kernel, as the duration histogram counts it), ua and client (X-Forwarded-For's first address).
void Connection::logAccess(double seconds, std::uint64_t bytes) {
  const Request& request = ex_->parser.request();
  spdlog::info(
      "conn={} peer={} method={} target=\"{}\" version=\"{}.{}\" status={} bytes={} ms={:.3f} "
      "ua=\"{}\" client={}",
      id_, peer_ ? *peer_ : "-", request.method, quoted(&request.target), request.versionMajor,
      request.versionMinor, answer_.status, bytes, seconds * 1e3,
      quoted(request.header("User-Agent")), forwardedClient(request));
}

}  // namespace closewise::server
