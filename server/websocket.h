// WebSocket (RFC 6455) for handlers: accepting the upgrade, and the handle that sends and closes.
//
// A handler that wants a WebSocket calls acceptWebSocket() with its request and Responder. The
// connection checks the opening handshake, answers 101 and switches to frames: the HTTP parser
// goes back to the worker, and the HTTP deadlines give way to heartbeats (a ping after
// --ws-ping-interval of silence, a close after --ws-pong-timeout more) and the close handshake
// (--ws-close-timeout). Frames are read once onMessage() is set; until then what arrives waits.
//
// The connection owns the socket, as with a Responder: the handle is detached when the connection
// ends (its methods return false, open() turns false) and onClose runs once. Output goes through
// the connection's own path, so the write timeout, --min-send-rate and the bound on queued bytes
// apply to a WebSocket as to an answer (docs/handler-api.md, "WebSocket").
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/websocket_frame.h"
#include "server/handler.h"

namespace closewise::server {

enum class WsMessageType : std::uint8_t { Text, Binary };

// What the handler decides about an acceptable handshake.
struct WsAccept {
  // One of the subprotocols the client offered (Sec-WebSocket-Protocol), or empty for none. A
  // name the client did not offer is the handler's bug: answered 500, nothing upgraded.
  std::string subprotocol;
};

class WebSocket {
 public:
  WebSocket() noexcept = default;
  WebSocket(WebSocket&& other) noexcept;
  WebSocket& operator=(WebSocket&& other) noexcept;
  WebSocket(const WebSocket&) = delete;
  WebSocket& operator=(const WebSocket&) = delete;
  // A handle dropped while its WebSocket is open closes it with 1000, and no callback of its
  // runs again: whatever the callbacks pointed at may be gone with it.
  ~WebSocket();

  // Queue one message (a single frame). False, and nothing queued, when the WebSocket is not
  // open, or when bufferedAmount() is already at the high-water mark (16 KiB): a peer that reads
  // slower than the handler writes must not make the connection buffer without bound. The
  // handler waits for onDrain() and sends again. A text message must be valid UTF-8 (the peer
  // would fail the connection with 1007); that is the handler's to ensure.
  bool sendText(std::string_view text);
  bool sendBinary(std::string_view data);
  bool send(WsMessageType type, std::string_view data);
  // Starts the close handshake (RFC 6455 section 7.1.2): our close frame with `code` (1000-1003,
  // 1007-1014 or 3000-4999; anything else is sent as 1000) and `reason` (cut to 123 bytes),
  // then up to --ws-close-timeout for the peer's. False if the WebSocket was not open.
  bool close(std::uint16_t code = protocol::kWsCloseNormal, std::string_view reason = {});
  // Bytes queued on the connection and not yet taken by the kernel, frame headers included.
  std::size_t bufferedAmount() const noexcept;
  // True until a close frame was sent or received, or the connection ended.
  bool open() const noexcept;

  // A complete message (fragments assembled, text validated as UTF-8). `data` is valid only
  // during the call.
  void onMessage(std::function<void(WsMessageType, std::string_view)> callback);
  // Once, when the WebSocket ends: the code received (1005 if the peer's close frame had none),
  // or the one we sent if we closed first, or 1006 if the connection ended without a close
  // frame; and the reason that came with it. The handle is detached before the call.
  void onClose(std::function<void(std::uint16_t code, std::string_view reason)> callback);
  // Once per registration, when bufferedAmount() falls below the low-water mark (4 KiB).
  void onDrain(std::function<void()> callback);

  uv_loop_t* loop() const noexcept { return loop_; }
  // The client's address, as Responder::peerAddress(); empty once detached.
  std::string peerAddress() const;

 private:
  friend class Connection;
  friend std::optional<WebSocket> acceptWebSocket(const Request&, Responder&&, WsAccept);
  WebSocket(Connection* connection, uv_loop_t* loop) noexcept;
  void detach() noexcept { connection_ = nullptr; }

  Connection* connection_ = nullptr;
  uv_loop_t* loop_ = nullptr;
};

// Checks `request` as an opening handshake (protocol::checkWsHandshake). A bad one is answered
// for the caller (400, or 426 for another version) and nullopt returned; so is one that comes
// while the server drains (503: the WebSocket would be told to go away at once) or after the
// peer's FIN. Otherwise the 101 goes out and the WebSocket is returned, open. The request stays
// valid only until this returns.
std::optional<WebSocket> acceptWebSocket(const Request& request, Responder&& responder,
                                         WsAccept accept = {});

// What a connection holds once upgraded: the decoder and the handler's callbacks.
struct WsSession {
  explicit WsSession(std::size_t maxMessageBytes)
      : decoder(protocol::WsRole::Server, maxMessageBytes) {}

  protocol::WsFrameDecoder decoder;
  std::string held;  // input that came before onMessage was set
  WebSocket* handle = nullptr;
  std::function<void(WsMessageType, std::string_view)> onMessage;
  std::function<void(std::uint16_t, std::string_view)> onClose;
  std::function<void()> onDrain;
  std::uint64_t messagesIn = 0;
  std::uint64_t messagesOut = 0;
  // The code the books record: the first close frame sent or received; 1006 if neither.
  std::uint16_t closeCode = protocol::kWsCloseAbnormal;
  std::string closeReason;
  bool closeSent : 1 = false;
  bool closeReceived : 1 = false;
  bool tcpCloseDue : 1 = false;  // the close handshake is over (or failed): TCP goes next
  bool feeding : 1 = false;      // frames are being decoded; a nested feed waits, output too
  bool ended : 1 = false;        // onClose ran and the books have the code
};

}  // namespace closewise::server
