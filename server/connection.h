// One client connection: the socket, its lifecycle state, the request being parsed and the
// response being written.
//
// The shape follows nginx: input is parsed one request at a time, a handler answers it through a
// Responder, and one decision point, finishExchange(), decides after each exchange whether the
// connection stays (idle, or straight on to the next pipelined request) or closes, and how.
// Every change of phase goes through lifecycle::ConnectionState, which keeps the books, and is
// followed by Worker::schedule(), which files the connection under its new deadline.
//
// The socket is read in every phase, with a cap on buffered input, because a stream learns of
// the peer's FIN only while it is reading: a server that stops reading while it works on a
// request cannot see that the peer left, and its socket sits in CLOSE_WAIT.
//
// Memory: the Connection is deleted only from the close callback of its handle (libuv frees
// nothing of ours; a handle's memory must outlive uv_close until the callback has run), and the
// destructor asserts the lifecycle reached Closed.
#pragma once

#include <uv.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "lifecycle/connection_state.h"
#include "lifecycle/rate_window.h"
#include "protocol/request_parser.h"
#include "protocol/response_writer.h"
#include "server/deadline_kind.h"
#include "server/handler.h"
#include "server/intrusive_list.h"
#include "server/middleware.h"
#include "server/router.h"
#include "server/websocket.h"

namespace closewise::server {

class Worker;

// Where a request body stands between the socket and its handler.
enum class BodyFlow : std::uint8_t {
  Buffered,  // read whole before the handler ran (or there was none): nothing to deliver
  Waiting,   // streamed (RouteOptions::streamBody); the handler has not called readBody() yet
  Paused,    // streamed; the handler paused it (pauseBody)
  Flowing,   // streamed; pieces go to the handler as they are read
  Ended,     // streamed; onEnd or onError has run
};

// What only a connection with a request in progress needs: the parser, input waiting for it
// (pipelined requests) and the open exchange's Responder and body count. The worker pools these
// (Worker::acquireExchange), so an idle keep-alive connection holds none of it: its memory is
// the Connection alone, about 460 bytes, of which the uv_tcp_t is 248.
struct Exchange {
  explicit Exchange(const protocol::Limits& limits) : parser(limits) {}

  protocol::RequestParser parser;
  std::string pending;              // input read but not yet parsed (pipelined requests)
  Responder* responder = nullptr;   // the live Responder of the open exchange, if any
  std::uint64_t bodyRemaining = 0;  // for Content-Length responses: bytes the handler still owes
  std::uint32_t generation = 0;     // the worker's settings when it was made (Worker::reconfigure)
  lifecycle::RateWindow bodyRate;   // the request body's arrival, against --min-receive-rate
  // A streamed body: where it stands, whether the parser has reached its end, and whether the
  // client waits for 100 Continue, which goes out when the handler starts reading.
  BodyFlow bodyFlow = BodyFlow::Buffered;
  bool bodyComplete = false;
  bool continueDue = false;
  // The per-request context the handler and middleware see (Responder::onFinished, requestId).
  // Kept here, not in the Connection, so an idle connection holds none of it, and pooled with
  // the rest, so a keep-alive exchange reuses their capacity instead of allocating.
  std::vector<std::function<void(const ExchangeSummary&)>> onFinished;
  std::string requestId;  // made or taken on first asking; cleared at each dispatch
  // The route the router chose, kept for the end of a middleware chain, which may be reached
  // after dispatch() returned (Next, server/middleware.h). Unused without middleware.
  Router::Match route;
};

class Connection {
 public:
  Connection(Worker& worker, std::uint64_t id);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Adopts a socket the listener accepted (the connection owns `fd` from here on, whatever the
  // outcome) and starts reading. Returns a libuv error code; on error the connection has begun
  // closing itself.
  int accept(int fd);
  // At --max-connections: answer a minimal 503 with Connection: close and close (reason
  // overload). With reset = true (too many overload connections already lingering) skip the
  // answer and reset.
  void rejectOverload(bool reset);

  // Called by the worker's timer when deadline() has passed.
  void onDeadline(lifecycle::TimePoint now);
  // Drain: true if nothing is in flight (idle between requests, or connected but silent).
  bool isIdle() const noexcept;
  // The one way to close, as Envoy's close(ConnectionCloseType): records why and how
  // (lifecycle::ConnectionState::beginClose), then acts as the mode says.
  //  - Graceful: the queued output goes first, then our FIN (shutdown), then a lingering close
  //    that reads and discards until the peer's FIN or the linger deadline, so unread input never
  //    turns the close into an RST (RFC 9112 section 9.6). With output still queued it waits, and
  //    the write's end (finishExchange) comes back here.
  //  - Immediate: close(2) now; the kernel sends our FIN after what it holds.
  //  - Reset: an RST, and the kernel drops what is queued (a peer that is not reading, or time is
  //    up). Once our FIN is out a reset would only destroy an answer already sent, so it is a
  //    plain close then.
  // A connection already closing keeps its first reason; a later call can only make the close
  // more forceful (an Immediate or Reset during a lingering close ends it now).
  void close(lifecycle::CloseReason reason, lifecycle::CloseMode mode);
  // True if close(reason, Reset) would send an RST now (the drain counts them).
  bool resetsOnClose() const noexcept { return !handleClosing_ && initialized_ && !shutdownSent_; }
  // Half-closed only: asks the kernel whether the peer has since reset (libuv no longer reads
  // after the FIN, so nothing else would notice), and if so ends the connection as peer_reset,
  // which cancels the handler's Responder.
  void probePeerGone();
  // The peer's address; computed now if it was not recorded at accept (debug log or access log
  // off). Call on the worker's thread.
  std::string peerAddress() const;

  std::uint64_t id() const noexcept { return id_; }
  const lifecycle::ConnectionState& state() const noexcept { return state_; }
  std::uint64_t bytesIn() const noexcept { return bytesIn_; }
  std::uint64_t bytesOut() const noexcept { return bytesOut_; }
  int fd() const noexcept;
  lifecycle::TimePoint phaseSince() const noexcept { return phaseSince_; }
  // A WebSocket's messages so far (complete ones), for /connections; 0 for HTTP.
  std::uint64_t wsMessagesIn() const noexcept { return ws_ ? ws_->messagesIn : 0; }
  std::uint64_t wsMessagesOut() const noexcept { return ws_ ? ws_->messagesOut : 0; }
  bool isWebSocket() const noexcept { return ws_ != nullptr; }

  // Worker bookkeeping: the connection filed under one of the worker's deadline lists.
  static Connection* fromHook(ListHook* hook) noexcept;

 private:
  friend class Responder;
  friend class Next;
  friend class Worker;
  friend class WebSocket;
  friend std::optional<WebSocket> acceptWebSocket(const Request&, Responder&&, WsAccept);

  static void onAllocThunk(uv_handle_t* handle, std::size_t suggested, uv_buf_t* buf) noexcept;
  static void onReadThunk(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) noexcept;
  static void onWriteThunk(uv_write_t* req, int status) noexcept;
  static void onShutdownThunk(uv_shutdown_t* req, int status) noexcept;
  static void onCloseThunk(uv_handle_t* handle) noexcept;

  void onRead(ssize_t nread, const uv_buf_t* buf);
  void onWrite(int status);
  void onShutdown(int status);
  void onPeerFin();

  // Input: parse and run exchanges one at a time, iteratively (never recursing per request).
  void drive(const char* data, std::size_t len);
  void parseInput(const char* data, std::size_t len);
  // The head of a request with a body is in: the body deadline, the receive rate's window, and
  // 100 Continue if the client waits for it. Returns false if the connection closed.
  // A streamed body (`streamed`) waits for its handler instead: no rate window, no 100 Continue
  // until the handler reads, and the handler's deadline meanwhile.
  bool onHeadWithBody(lifecycle::TimePoint now, std::size_t bodyBytesInHand, bool streamed);
  // A request body arriving below --min-receive-rate is answered 408 and closed (slow_body).
  void enforceReceiveRate(lifecycle::TimePoint now);
  Router::Match route() const;
  // Hands the exchange to the router's middleware, if there are any, and to the matched route.
  void dispatch(const Router::Match& match);
  // The end of the chain: the route's handler, or the router's own answer (404, 405).
  void runRoute(const Router::Match& match, const Request& request, Responder&& responder);
  // The Responder's per-request context.
  std::string requestId();
  std::chrono::milliseconds timeLeft() const;

  // A streamed request body (BodyFlow). The Responder's readBody, pauseBody and resumeBody.
  bool readBody(BodyReader&& reader);
  void pauseBody();
  void resumeBody();
  // One step of delivering a flowing body inside drive(): feed what is buffered to the parser
  // and hand the decoded piece over, or deliver the end. False when there is nothing to do.
  bool bodyStep();
  void feedBody();
  // The handler has not seen the whole body yet (and never will, if the exchange ends now).
  bool bodyUnfinished() const noexcept {
    return ex_ && ex_->bodyFlow != BodyFlow::Buffered && ex_->bodyFlow != BodyFlow::Ended;
  }

  // Output, used by the Responder.
  bool respondStart(int status, std::vector<Header>&& headers,
                    std::optional<std::uint64_t> contentLength);
  bool respondWrite(std::string_view data);
  // Appends body bytes as the head framed them (framing_); nothing when the answer has no body.
  void appendBody(std::string_view data);
  bool respondEnd();
  bool respondSend(int status, std::string_view body, std::vector<Header>&& headers);
  void responderDropped();
  std::size_t queuedBytes() const noexcept {
    return out_.size() + (write_ ? write_->bytes.size() : 0);
  }

  void flush();
  // send(2) of as much of `bytes` as the kernel takes now: the count, UV_EAGAIN if none, or a
  // libuv error code.
  int sendNow(std::string_view bytes) noexcept;
  // Bytes of the answers that have left for the kernel, parts of the write in flight included.
  std::uint64_t bytesSent() const noexcept;
  // Bytes of the answers the client has acknowledged: bytesSent() less the kernel's send queue.
  std::uint64_t bytesTaken() const noexcept;
  // Bytes left the socket: the write deadline starts again, and a client taking them below
  // --min-send-rate is reset (slow_reader). Returns false if the connection closed.
  bool writeProgressed();
  bool outputDone() const noexcept { return out_.empty() && !writing_; }
  void maybeFinishExchange();
  // The reason this exchange ends the connection, or None if the connection goes on. The verdict
  // is taken once, when the answer's head is composed (respondStart, into answer_.closeAfter); the
  // only facts that can change it later are the peer's FIN and a drain that began since.
  lifecycle::CloseReason closeAfterExchange() const noexcept;
  void finishExchange();

  // Closing. The error answer (a 4xx or 5xx before the handler's own answer) is an answer
  // followed by close(reason, Graceful), not a way to close of its own.
  void answerThenClose(int status, std::string_view body, lifecycle::CloseReason reason);
  // The mechanics of close(), by mode. closeSocket() is also how a close already decided ends:
  // the peer's FIN or the linger deadline during a lingering close, a failed shutdown.
  void closeGracefully();
  bool nothingToLingerFor() const;
  bool resetSocket();  // false if libuv refused, and the caller closes plainly
  void closeSocket();
  void releaseBuffers() noexcept;
  void trimForIdle() noexcept;
  std::string& output();
  Exchange& exchange();  // the connection's Exchange, taken from the worker's pool if it has none
  bool hasPendingInput() const noexcept { return ex_ && !ex_->pending.empty(); }
  // Detaches the handler's Responder and runs its onCancel; before it, a streamed body not yet
  // ended gets onError(bodyStatus): the status answered in its place, or 0.
  void cancelExchange(int bodyStatus = 0);

  // WebSocket (server/websocket.cc). The upgrade: the 101, the exchange let go, the session.
  std::optional<WebSocket> acceptUpgrade(std::vector<Header>&& headers);
  // Input in phases WebSocket and WsClosing: held until onMessage is set, then decoded.
  void wsRead(const char* data, std::size_t len);
  void wsFeed(const char* data, std::size_t len);
  void wsFeedHeld();
  // One decoded event; false once the connection stops taking frames.
  bool wsOnEvent(protocol::WsEvent event);
  void wsDeliver(WsMessageType type);
  void wsOnPeerClose();
  void wsFail();  // the peer broke RFC 6455: our close with the decoder's code, then TCP
  bool wsSend(protocol::WsOpcode opcode, std::string_view payload);
  // A frame was appended to the output: written now, or with the rest of the feed's at its end.
  void wsQueued();
  // Our close frame and the wait for the peer's. False if the phase is past WebSocket or our
  // close frame is already out (then close() goes on as for any connection).
  bool wsStartClose(std::uint16_t code, std::string_view reason, lifecycle::CloseReason why);
  void wsQueueClose(std::uint16_t code, std::string_view reason);
  void wsOnHeartbeat();
  void wsWritten();  // a write completed: onDrain, and a TCP close waiting on the output
  // The WebSocket is over for the handler: the books get its close code, onClose runs once.
  void wsEnded();
  void wsHandleDropped();

  void onWriteDeadline();  // the client took nothing for a write timeout: progress or reset
  void startReading();
  void stopReading();
  // Runs one lifecycle verb (a call on state_) and returns what it returns; then, if the phase
  // changed, notes when and traces it, and files the connection under its new deadline. Every
  // verb goes through here.
  template <typename Verb>
  decltype(auto) advance(Verb&& verb) {
    const lifecycle::Phase before = state_.phase();
    if constexpr (std::is_void_v<decltype(verb())>) {
      verb();
      touch(before);
    } else {
      auto result = verb();
      touch(before);
      return result;
    }
  }
  void touch(lifecycle::Phase before) noexcept;
  // The exchange ends: measured once, and the measure goes to the request histograms and the
  // access log (an answer completed, as they have always counted) and to the onFinished
  // callbacks (every end). `closeReason` is why the connection closes after it, if it does.
  void accountExchange(bool completed = true,
                       lifecycle::CloseReason closeReason = lifecycle::CloseReason::None);
  // An exchange that ends without its answer complete: its onFinished callbacks, if any.
  void exchangeAbandoned();
  void logAccess(double seconds, std::uint64_t bytes);
  std::uint64_t bytesProduced() const noexcept;
  uv_stream_t* stream() noexcept { return reinterpret_cast<uv_stream_t*>(&tcp_); }

  // Which deadline list the connection is filed under (Worker::schedule), and until when.
  // hook_ must stay the first member: fromHook() finds the Connection from it.
  ListHook hook_;
  lifecycle::TimePoint listedDeadline_{};
  Worker& worker_;
  std::uint64_t id_;
  uv_tcp_t tcp_{};
  // What only a busy connection needs lives behind pointers, allocated on first use and freed
  // when the connection goes idle, so that an idle keep-alive connection costs little more than
  // its uv_tcp_t (docs/lifecycle.md, "Memory").
  struct PendingWrite {
    uv_write_t req{};
    std::string bytes;  // the bytes of the uv_write in flight; libuv reads them until its callback
    std::uint64_t takenAtCheck = 0;  // bytesTaken() when the write deadline last looked
    lifecycle::RateWindow rate;      // open while our output waits on the client
  };
  struct HandlerHooks {
    std::function<void()> onCancel;
    std::function<void()> onWritable;
    BodyReader body;
  };
  HandlerHooks& hooks();
  lifecycle::ConnectionState state_;
  std::unique_ptr<Exchange> ex_;  // held only while a request is in progress; from the worker
  std::string out_;  // response bytes not yet handed to libuv; borrowed from the worker
  std::unique_ptr<PendingWrite> write_;         // once a write could not complete at once
  std::unique_ptr<uv_shutdown_t> shutdownReq_;  // for the graceful close
  std::unique_ptr<HandlerHooks> hooks_;         // once a handler asks for a callback
  std::unique_ptr<WsSession> ws_;               // once upgraded; kept until the connection goes
  // The peer's address, kept only when something prints it (debug log, access log).
  std::unique_ptr<std::string> peer_;
  lifecycle::TimePoint phaseSince_{};
  std::uint64_t bytesIn_ = 0;
  std::uint64_t bytesOut_ = 0;
  DeadlineKind listedKind_ = DeadlineKind::None;  // the deadline list, with hook_
  // The answer of the current exchange: what its head said and how far it got. Each exchange
  // starts with a fresh one (answer_ = Answer{} in dispatch), so nothing of the last answer is
  // carried into the next. Whether it started is the lifecycle's fact (state_.answerStarted()).
  struct Answer {
    std::uint16_t status = 0;  // the access log, the response counts
    // When the exchange was handed to its handler (uv_hrtime) and the bytes produced before its
    // answer: the request-duration and response-size histograms (server/request_metrics.h).
    std::uint64_t dispatchedNs = 0;
    std::uint64_t bytesOutBefore = 0;
    protocol::BodyFraming framing = protocol::BodyFraming::None;  // of its body, as the head said
    // The keep-alive verdict, taken once when the head was composed: close after this answer,
    // and why (None: the head promised keep-alive). See closeAfterExchange().
    lifecycle::CloseReason closeAfter = lifecycle::CloseReason::None;
    bool headRequest : 1 = false;
    bool ended : 1 = false;
    bool bodyDropped : 1 = false;  // the handler wrote a body to an answer that has none (logged)
    bool coalesced : 1 = false;    // the ended answer is held in out_ for the next pipelined ones
  };
  Answer answer_;
  // Facts that can hold at once are bit flags, as in libuv's handles: one byte for every eight.
  bool initialized_ : 1 = false;
  bool reading_ : 1 = false;
  bool writing_ : 1 = false;
  bool driving_ : 1 = false;
  bool exchangeOpen_ : 1 = false;
  bool shutdownSent_ : 1 = false;
  bool inputLeftUnread_ : 1 = false;  // input was buffered and dropped when the close began
  // Inside onRead, for a read that did not fill the buffer: the kernel had nothing more for us
  // when it returned (libuv's own partial-read rule). Cleared when the read's work is done.
  bool readDrained_ : 1 = false;
  bool handleClosing_ : 1 = false;
  // Worker bookkeeping: this connection's 503 is one of the overload closes the worker counts
  // as lingering (Worker::overloadLingering_), from the answer until release().
  bool overloadCounted_ : 1 = false;
};

}  // namespace closewise::server
