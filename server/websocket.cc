// The WebSocket half of a connection: the upgrade, the frames, the close handshake and the
// heartbeats. The Connection methods here act only in phases WebSocket and WsClosing; the rest of
// the connection (output, deadlines, close) is shared with HTTP and lives in connection.cc.
#include "server/websocket.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <utility>

#include "protocol/utf8.h"
#include "protocol/websocket_handshake.h"
#include "server/connection.h"
#include "server/flow_marks.h"
#include "server/worker.h"

namespace closewise::server {

using lifecycle::CloseMode;
using lifecycle::CloseReason;
using lifecycle::Phase;
using protocol::WsEvent;
using protocol::WsOpcode;

namespace {

std::vector<Header> textPlain() {
  return {{"Content-Type", "text/plain; charset=utf-8"}};
}

}  // namespace

// ---- The handle ------------------------------------------------------------------------------

WebSocket::WebSocket(Connection* connection, uv_loop_t* loop) noexcept
    : connection_(connection), loop_(loop) {
  connection_->ws_->handle = this;
}

WebSocket::WebSocket(WebSocket&& other) noexcept
    : connection_(std::exchange(other.connection_, nullptr)), loop_(other.loop_) {
  if (connection_ != nullptr) connection_->ws_->handle = this;
}

WebSocket& WebSocket::operator=(WebSocket&& other) noexcept {
  if (this != &other) {
    this->~WebSocket();
    connection_ = std::exchange(other.connection_, nullptr);
    loop_ = other.loop_;
    if (connection_ != nullptr) connection_->ws_->handle = this;
  }
  return *this;
}

WebSocket::~WebSocket() {
  if (connection_ == nullptr) return;
  Connection* connection = std::exchange(connection_, nullptr);
  connection->ws_->handle = nullptr;
  connection->wsHandleDropped();
}

bool WebSocket::sendText(std::string_view text) {
  return send(WsMessageType::Text, text);
}

bool WebSocket::sendBinary(std::string_view data) {
  return send(WsMessageType::Binary, data);
}

bool WebSocket::send(WsMessageType type, std::string_view data) {
  const WsOpcode opcode = type == WsMessageType::Text ? WsOpcode::Text : WsOpcode::Binary;
  return connection_ != nullptr && connection_->wsSend(opcode, data);
}

bool WebSocket::close(std::uint16_t code, std::string_view reason) {
  if (connection_ == nullptr) return false;
  if (!protocol::wsCloseCodeAllowed(code)) code = protocol::kWsCloseNormal;
  if (!protocol::isValidUtf8(reason)) {
    // The peer would fail a close frame whose reason is not UTF-8 with 1007 (RFC 6455 section
    // 5.5.1); the handler's bug costs it the reason, not the close.
    spdlog::error("conn={} websocket close reason is not UTF-8: sent without it",
                  connection_->id());
    reason = {};
  }
  return connection_->wsStartClose(code, reason, CloseReason::ServerClose);
}

std::size_t WebSocket::bufferedAmount() const noexcept {
  return connection_ != nullptr ? connection_->queuedBytes() : 0;
}

bool WebSocket::open() const noexcept {
  return connection_ != nullptr && connection_->state_.phase() == Phase::WebSocket &&
         !connection_->ws_->closeSent && !connection_->ws_->closeReceived;
}

void WebSocket::onMessage(std::function<void(WsMessageType, std::string_view)> callback) {
  if (connection_ == nullptr) return;
  connection_->ws_->onMessage = std::move(callback);
  // Frames are read from now on, those that came before it first.
  connection_->wsFeedHeld();
}

void WebSocket::onClose(std::function<void(std::uint16_t, std::string_view)> callback) {
  if (connection_ != nullptr) connection_->ws_->onClose = std::move(callback);
}

void WebSocket::onDrain(std::function<void()> callback) {
  if (connection_ != nullptr) connection_->ws_->onDrain = std::move(callback);
}

std::string WebSocket::peerAddress() const {
  return connection_ != nullptr ? connection_->peerAddress() : std::string();
}

// ---- The upgrade -----------------------------------------------------------------------------

std::optional<WebSocket> acceptWebSocket(const Request& request, Responder&& responder,
                                         WsAccept accept) {
  Connection* connection = responder.connection_;
  if (connection == nullptr) return std::nullopt;
  protocol::WsHandshake handshake = protocol::checkWsHandshake(request);
  if (handshake.status != 101) {
    if (handshake.status != 500) connection->state_.wsRejected();
    std::vector<Header> headers = textPlain();
    for (Header& header : handshake.headers) headers.push_back(std::move(header));
    responder.send(handshake.status, std::string(handshake.reason) + "\n", std::move(headers));
    return std::nullopt;
  }
  if (!accept.subprotocol.empty()) {
    const auto& offered = handshake.subprotocols;
    if (std::find(offered.begin(), offered.end(), accept.subprotocol) == offered.end()) {
      // RFC 6455 section 4.2.2: the server picks one of the client's, or none.
      spdlog::error("conn={} handler chose subprotocol \"{}\", which the client did not offer",
                    connection->id(), accept.subprotocol);
      responder.send(500, "subprotocol not offered\n", textPlain());
      return std::nullopt;
    }
    handshake.headers.push_back({"Sec-WebSocket-Protocol", std::move(accept.subprotocol)});
  }
  if (connection->state_.peerFinSeen() || !connection->worker_.keepAliveAllowed()) {
    // After the peer's FIN nothing could be read; during a drain the WebSocket would be told to
    // go away the moment it opened.
    responder.send(503, "not accepting websockets now\n", textPlain());
    return std::nullopt;
  }
  responder.detach();
  return connection->acceptUpgrade(std::move(handshake.headers));
}

std::optional<WebSocket> Connection::acceptUpgrade(std::vector<Header>&& headers) {
  assert(exchangeOpen_ && ex_ && !state_.answerStarted());
  ex_->responder = nullptr;
  hooks_.reset();
  const auto now = worker_.now();
  protocol::ResponseHead head;
  head.status = 101;
  head.headers = std::move(headers);
  protocol::appendResponseHead(output(), head, worker_.date());
  answer_.status = 101;
  answer_.ended = true;
  worker_.countResponse(101);
  advance([&] { state_.responseStarted(now); });
  // The exchange ends here: measured and logged as any other, and its parser goes back to the
  // worker. Bytes read after the handshake are the first frames.
  exchangeOpen_ = false;
  accountExchange();
  ws_ = std::make_unique<WsSession>(worker_.options().wsMaxMessageBytes);
  ws_->held.swap(ex_->pending);
  worker_.releaseExchange(std::move(ex_));
  advance([&] { state_.upgraded(now); });
  SPDLOG_DEBUG("conn={} upgraded to websocket", id_);
  flush();
  if (handleClosing_) return std::nullopt;
  startReading();
  return WebSocket(this, worker_.loop());
}

// ---- Input -----------------------------------------------------------------------------------

void Connection::wsRead(const char* data, std::size_t len) {
  // The close handshake is over and our FIN is on its way: read and discard until the peer's.
  if (ws_->tcpCloseDue) return;
  // Any byte proves the peer is there; a frame need not be complete.
  advance([&] { state_.wsReceived(worker_.now()); });
  if (!ws_->onMessage || ws_->feeding || !ws_->held.empty()) {
    ws_->held.append(data, len);
    if (ws_->held.size() >= kMaxPendingInput && !ws_->onMessage) stopReading();
    wsFeedHeld();
    return;
  }
  wsFeed(data, len);
}

void Connection::wsFeedHeld() {
  if (!ws_->onMessage || ws_->feeding || ws_->held.empty() || handleClosing_) return;
  std::string input;
  input.swap(ws_->held);
  wsFeed(input.data(), input.size());
  if (!handleClosing_ && (state_.phase() == Phase::WebSocket || state_.phase() == Phase::WsClosing))
    startReading();
}

void Connection::wsFeed(const char* data, std::size_t len) {
  ws_->feeding = true;
  bool more = true;
  while (more && !handleClosing_) {
    const auto result = ws_->decoder.feed(data, len);
    data += result.consumed;
    len -= result.consumed;
    if (result.event == WsEvent::NeedMore) break;
    more = wsOnEvent(result.event);
  }
  ws_->feeding = false;
  // A callback that set onMessage again, or input read during the callbacks, waits in held.
  if (more && !handleClosing_ && !ws_->held.empty()) wsFeedHeld();
  // What the handler sent and the pongs, for all the frames of this read, go out together.
  flush();
}

bool Connection::wsOnEvent(WsEvent event) {
  const auto& decoder = ws_->decoder;
  switch (event) {
    case WsEvent::Text:
      wsDeliver(WsMessageType::Text);
      return true;
    case WsEvent::Binary:
      wsDeliver(WsMessageType::Binary);
      return true;
    case WsEvent::Ping:
      // RFC 6455 section 5.5.3: a pong with the ping's payload, unless we are closing.
      if (state_.phase() == Phase::WebSocket && !ws_->closeSent) {
        protocol::appendWsFrame(output(), WsOpcode::Pong, true, decoder.payload());
        wsQueued();
      }
      return true;
    case WsEvent::Pong:
      return true;  // wsRead already noted that the peer is there
    case WsEvent::Close:
      wsOnPeerClose();
      return false;
    case WsEvent::Error:
      wsFail();
      return false;
    case WsEvent::NeedMore:
      break;
  }
  return false;
}

void Connection::wsDeliver(WsMessageType type) {
  // RFC 6455 section 7.1.2: once our close frame is out, data frames are discarded.
  if (ws_->closeSent || !ws_->onMessage) return;
  const std::string_view payload = ws_->decoder.payload();
  ++ws_->messagesIn;
  state_.wsMessage(true, payload.size());
  // Moved out for the call, so a callback that sets onMessage (or drops the handle, which clears
  // it) does not destroy the function that is running.
  auto callback = std::move(ws_->onMessage);
  ws_->onMessage = nullptr;
  callback(type, payload);
  if (!ws_->onMessage && ws_->handle != nullptr) ws_->onMessage = std::move(callback);
}

void Connection::wsOnPeerClose() {
  const auto& decoder = ws_->decoder;
  ws_->closeReceived = true;
  if (!ws_->closeSent) {
    // The peer closes first: its code is the one on the books, and our close frame echoes it
    // (RFC 6455 section 5.5.1), or says 1000 when it carried none.
    ws_->closeCode = decoder.closeCode();
    ws_->closeReason.assign(decoder.payload());
    const std::uint16_t echo = decoder.closeCode() == protocol::kWsCloseNoStatus
                                   ? protocol::kWsCloseNormal
                                   : decoder.closeCode();
    state_.beginClose(CloseReason::PeerClosed, CloseMode::Graceful, worker_.now());
    wsQueueClose(echo, {});
  }
  // RFC 6455 section 7.1.1: the server closes TCP first, so the TIME_WAIT is ours and not on a
  // client's port. The peer's close says it will send nothing more: a graceful close lingers
  // only for its FIN.
  ws_->tcpCloseDue = true;
  wsEnded();
  close(CloseReason::PeerClosed, CloseMode::Graceful);
}

void Connection::wsFail() {
  const auto& decoder = ws_->decoder;
  SPDLOG_DEBUG("conn={} websocket protocol error: {} ({})", id_, decoder.error(),
               decoder.closeCode());
  // RFC 6455 section 7.1.7: send the close frame, then close TCP without waiting for the
  // peer's; the graceful close still lingers for its FIN, within the linger deadline.
  if (state_.phase() == Phase::WebSocket && !ws_->closeSent) {
    state_.beginClose(CloseReason::ProtocolError, CloseMode::Graceful, worker_.now());
    ws_->closeCode = decoder.closeCode();
    ws_->closeReason.assign(decoder.error());
    wsQueueClose(decoder.closeCode(), decoder.error());
  }
  ws_->tcpCloseDue = true;
  wsEnded();
  close(CloseReason::ProtocolError, CloseMode::Graceful);
}

// ---- Output ----------------------------------------------------------------------------------

bool Connection::wsSend(WsOpcode opcode, std::string_view payload) {
  if (handleClosing_ || state_.phase() != Phase::WebSocket || ws_->closeSent ||
      ws_->closeReceived) {
    return false;
  }
  if (queuedBytes() >= kHighWater) {
    // Bytes held for the feed's one write are not yet refused by the kernel: offer them first,
    // so that only output the peer is not taking counts against the mark, and a refusal always
    // has a write in flight whose end brings onDrain.
    flush();
    if (handleClosing_ || queuedBytes() >= kHighWater) return false;
  }
  std::array<char, protocol::kWsMaxFrameHeader> header{};
  const std::size_t headerLength =
      protocol::writeWsFrameHeader(header, opcode, true, payload.size(), nullptr);
  std::string& out = output();
  out.append(header.data(), headerLength);
  out.append(payload);
  ++ws_->messagesOut;
  state_.wsMessage(false, payload.size());
  wsQueued();
  return !handleClosing_;
}

void Connection::wsQueued() {
  // Inside a feed, the frames of one read are answered with one send(2) at its end (wsFeed), as
  // pipelined HTTP answers are (respondEnd): a send per message would cost a system call, and on
  // loopback the receiver's TCP processing, for each. Outside a feed (a timer, another
  // connection's callback) nothing would come to write it, so it goes now; so does a batch that
  // has grown past the bound.
  if (ws_->feeding && out_.size() < kMaxCoalescedOutput) return;
  flush();
}

void Connection::wsQueueClose(std::uint16_t code, std::string_view reason) {
  std::array<char, protocol::kWsMaxControlPayload> payload{};
  const std::size_t length = protocol::writeWsClosePayload(payload, code, reason);
  protocol::appendWsFrame(output(), WsOpcode::Close, true,
                          std::string_view(payload.data(), length));
  ws_->closeSent = true;
  flush();
}

bool Connection::wsStartClose(std::uint16_t code, std::string_view reason, CloseReason why) {
  if (handleClosing_ || ws_->tcpCloseDue) return false;
  if (state_.phase() == Phase::WsClosing) return true;  // already waiting for the peer's close
  if (state_.phase() != Phase::WebSocket || ws_->closeSent) return false;
  state_.beginClose(why, CloseMode::Graceful, worker_.now());
  ws_->closeCode = code;
  ws_->closeReason.assign(reason.substr(0, protocol::kWsMaxControlPayload - 2));
  wsQueueClose(code, reason);
  if (handleClosing_) return true;
  advance([&] { state_.wsCloseSent(worker_.now()); });
  return true;
}

void Connection::wsOnHeartbeat() {
  if (state_.pingOutstanding()) {
    SPDLOG_DEBUG("conn={} websocket: nothing received within the pong timeout", id_);
    // A peer that did not answer a ping will not answer a close frame either: no close
    // handshake (RFC 6455 section 7.1.1 lets the server close TCP first), as Node's ws
    // terminate() and gorilla/websocket do. The books say 1006, no close frame (section 7.1.5),
    // and TCP closes gracefully: our FIN after what is queued, lingering for the peer's.
    ws_->tcpCloseDue = true;
    state_.beginClose(CloseReason::WsPingTimeout, CloseMode::Graceful, worker_.now());
    wsEnded();
    close(CloseReason::WsPingTimeout, CloseMode::Graceful);
    return;
  }
  protocol::appendWsFrame(output(), WsOpcode::Ping, true, {});
  advance([&] { state_.wsPingSent(worker_.now()); });
  flush();
}

void Connection::wsWritten() {
  if (ws_->tcpCloseDue && outputDone()) {
    closeGracefully();
    return;
  }
  if (ws_->onDrain && queuedBytes() < kLowWater) {
    auto callback = std::move(ws_->onDrain);
    ws_->onDrain = nullptr;
    callback();
  }
}

// ---- The end ---------------------------------------------------------------------------------

void Connection::wsEnded() {
  if (ws_->ended) return;
  ws_->ended = true;
  state_.wsClosedWith(ws_->closeCode);
  if (WebSocket* handle = std::exchange(ws_->handle, nullptr); handle != nullptr) {
    handle->detach();
  }
  ws_->onMessage = nullptr;
  ws_->onDrain = nullptr;
  auto callback = std::move(ws_->onClose);
  ws_->onClose = nullptr;
  if (callback) callback(ws_->closeCode, ws_->closeReason);
}

void Connection::wsHandleDropped() {
  // Nothing of the handler's may be called from here on: its state may be gone with the handle.
  ws_->onMessage = nullptr;
  ws_->onClose = nullptr;
  ws_->onDrain = nullptr;
  if (!wsStartClose(protocol::kWsCloseNormal, {}, CloseReason::ServerClose)) return;
  SPDLOG_DEBUG("conn={} websocket handle dropped: closing with 1000", id_);
}

}  // namespace closewise::server
