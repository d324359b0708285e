#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/request.h"

namespace closewise::protocol {

// The answer a WebSocket opening handshake deserves (RFC 6455 4.2).
struct WsHandshake {
  // 101: the handshake is valid; 400: it is not (reason says why); 426: the client speaks a
  // version other than 13; 500: the accept value could not be computed (libcrypto failed).
  int status = 0;
  std::string_view reason;  // short, lowercase, static text; empty for 101
  // The fields the answer must carry, besides its framing: for 101, Upgrade, Connection and
  // Sec-WebSocket-Accept (RFC 6455 4.2.2); for 426, Sec-WebSocket-Version: 13 (RFC 6455 4.4)
  // and Upgrade (RFC 9110 15.5.22). A subprotocol the handler picks adds Sec-WebSocket-Protocol.
  std::vector<Header> headers;
  // For 101: the subprotocols the client offers in Sec-WebSocket-Protocol, in its order of
  // preference, for the handler to choose one of (or none).
  std::vector<std::string> subprotocols;
};

// Checks a parsed request as the opening handshake of RFC 6455 4.2.1: GET, HTTP/1.1, Host,
// "Upgrade: websocket", a Connection option "upgrade", "Sec-WebSocket-Version: 13" and a
// Sec-WebSocket-Key that is the base64 of 16 bytes. Whether the Origin and the subprotocols are
// welcome is the handler's to decide.
WsHandshake checkWsHandshake(const Request& request);

// base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")) (RFC 6455 4.2.2 item 5.4), by
// OpenSSL's libcrypto. nullopt only if libcrypto fails.
std::optional<std::string> wsAcceptValue(std::string_view key);

}  // namespace closewise::protocol
